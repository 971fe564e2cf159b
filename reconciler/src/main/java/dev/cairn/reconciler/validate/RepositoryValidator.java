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
        return validate(root, null);
    }

    private static String fileKey(String file) {
        if (file == null) return "";
        try {
            return Path.of(file).toAbsolutePath().normalize().toString();
        } catch (java.nio.file.InvalidPathException e) {
            return file;
        }
    }

    /**
     * What a run of one infrastructure needs checked: every check on {@code cairn.yaml}, the shared
     * files and {@code only}'s manifest, and the rules across files (names, state keys); another
     * infrastructure's own problems are left to {@code cairn validate} and do not stop this run
     * (a repo of a thousand manifests does not pay for the other 999 on every run).
     *
     * @param only the infrastructure to check, or null for all of them
     */
    public Report validate(Path root, String only) {
        var loaded = loader.load(root);
        var repo = loaded.repo();
        var others = new java.util.HashSet<String>();
        if (only != null) {
            for (var infra : repo.infrastructures().values()) {
                if (!infra.name().equals(only)) others.add(fileKey(infra.file().toString()));
            }
        }
        java.util.function.Predicate<Diagnostic> mine = d -> !others.contains(fileKey(d.location().file()));
        var diagnostics = new ArrayList<>(loaded.diagnostics().stream().filter(mine).toList());
        var checked = repo.infrastructures().values().stream().filter(i -> only == null || i.name().equals(only)).toList();
        var perInfra = checked.parallelStream().map(infra -> {
            var found = new ArrayList<Diagnostic>(CidrRule.all(infra));
            found.addAll(catalog.build(repo, infra).diagnostics());
            return found;
        }).toList();
        perInfra.forEach(diagnostics::addAll);
        // a state key shared with `only` is its problem too, whichever manifest the report points at
        diagnostics.addAll(duplicateStateKeys(repo).stream().filter(d -> only == null || mine.test(d)
                || d.message().contains("`" + only + "`")).toList());
        diagnostics.sort(Comparator.comparing((Diagnostic d) -> d.location().file())
                .thenComparingInt(d -> d.location().line()).thenComparingInt(d -> d.location().column()));
        return new Report(repo, diagnostics);
    }
}
