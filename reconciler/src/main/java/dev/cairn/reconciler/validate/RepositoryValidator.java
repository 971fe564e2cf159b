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

    /**
     * Two infrastructures with S3 state under one key prefix would read and overwrite each
     * other's state (a copied manifest keeps {@code keyPrefix}): every prefix must be unique.
     */
    static List<Diagnostic> duplicateStateKeys(InfrastructureRepo repo) {
        var found = new ArrayList<Diagnostic>();
        var owners = new java.util.HashMap<String, String>();
        var infras = new ArrayList<>(repo.infrastructures().values());
        infras.sort(Comparator.comparing((dev.cairn.reconciler.manifest.Infrastructure i) -> i.file().toString()));
        for (var infra : infras) {
            var state = infra.spec().state();
            if (!state.isS3()) continue;
            var prefix = (state.keyPrefix() != null ? state.keyPrefix() : infra.name()).replaceAll("^/+|/+$", "");
            var owner = owners.putIfAbsent(prefix, infra.name());
            if (owner == null) continue;
            var pointer = state.keyPrefix() != null ? "/spec/state/keyPrefix" : "/metadata/name";
            found.add(new Diagnostic(infra.sourceMap().value(pointer), "duplicate-state-key",
                    "infrastructures `" + owner + "` and `" + infra.name() + "` both keep their S3 state under `" + prefix
                            + "/`: each would overwrite the other's state",
                    "give `" + infra.name() + "` its own spec.state.keyPrefix (the default is the infrastructure name)"));
        }
        return found;
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
        diagnostics.addAll(duplicateStateKeys(repo));
        diagnostics.sort(Comparator.comparing((Diagnostic d) -> d.location().file())
                .thenComparingInt(d -> d.location().line()).thenComparingInt(d -> d.location().column()));
        return new Report(repo, diagnostics);
    }
}
