package dev.cairn.reconciler.validate;

import dev.cairn.reconciler.diag.Diagnostic;
import dev.cairn.reconciler.graph.StageCatalog;
import dev.cairn.reconciler.manifest.InfrastructureRepo;
import dev.cairn.reconciler.manifest.RepositoryLoader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Every check Cairn makes on a repo before it runs anything: YAML, schema (unknown keys, types,
 * names, formats), duplicates, CIDRs, module sources, {@code dependsOn}, cycles, and every
 * template reference. Problems in all files are reported together.
 */
public final class RepositoryValidator {
    private final RepositoryLoader loader = new RepositoryLoader();
    private final StageCatalog catalog;

    public record Report(InfrastructureRepo repo, List<Diagnostic> diagnostics) {
        public boolean ok() {
            return diagnostics.isEmpty();
        }
    }

    public RepositoryValidator(StageCatalog catalog) {
        this.catalog = catalog;
    }

    public Report validate(Path root) {
        var loaded = loader.load(root);
        var diagnostics = new ArrayList<>(loaded.diagnostics());
        var repo = loaded.repo();
        var perInfra = repo.infrastructures().values().parallelStream().map(infra -> {
            var found = new ArrayList<Diagnostic>(CidrRule.all(infra));
            found.addAll(catalog.build(repo, infra).diagnostics());
            return found;
        }).toList();
        perInfra.forEach(diagnostics::addAll);
        diagnostics.sort(Comparator.comparing((Diagnostic d) -> d.location().file())
                .thenComparingInt(d -> d.location().line()).thenComparingInt(d -> d.location().column()));
        return new Report(repo, diagnostics);
    }
}
