package dev.cairn.reconciler.module;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where a stage's Terraform module comes from, parsed from the {@code source} string with
 * Terraform's own conventions.
 */
public sealed interface ModuleSource {

    /** A folder in the repo ({@code ./modules/x}, or a bare name in the modules folder); never outside it. */
    record Local(Path dir) implements ModuleSource {
    }

    /** {@code git::URL[//subdir][?ref=REF]}; fetched with JGit. */
    record Git(String url, String subdir, String ref) implements ModuleSource {
    }

    /** {@code NAMESPACE/NAME/PROVIDER} (optionally with a host) and a version constraint. */
    record Registry(String address, String version) implements ModuleSource {
    }

    /** One of Cairn's own modules: {@code cairn://aws/network}. */
    record Builtin(String path) implements ModuleSource {
    }

    Pattern BARE_NAME = Pattern.compile("^[A-Za-z0-9_-]+$");
    Pattern REGISTRY = Pattern.compile("^([A-Za-z0-9.-]+\\.[A-Za-z]{2,}/)?[A-Za-z0-9_-]+/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+$");

    /**
     * @param repoRoot   local paths are relative to it
     * @param modulesDir where bare names are looked up
     * @throws IllegalArgumentException with a user-facing message when the string is no known form
     */
    static ModuleSource parse(String source, String version, Path repoRoot, Path modulesDir) {
        var s = source.trim();
        if (s.startsWith("cairn://")) return new Builtin(s.substring("cairn://".length()).replaceAll("/+$", ""));
        if (s.startsWith("./") || s.startsWith("../") || s.equals(".") || s.startsWith("/")) {
            return inRepo(source, repoRoot.resolve(s).normalize(), repoRoot);
        }
        if (s.startsWith("git::")) {
            var rest = s.substring(5);
            String ref = null;
            var q = rest.indexOf("?ref=");
            if (q >= 0) {
                ref = rest.substring(q + 5);
                rest = rest.substring(0, q);
            }
            String subdir = null;
            var schemeEnd = rest.indexOf("://");
            var dbl = rest.indexOf("//", schemeEnd < 0 ? 0 : schemeEnd + 3);
            if (dbl >= 0) {
                subdir = rest.substring(dbl + 2);
                rest = rest.substring(0, dbl);
            }
            return new Git(rest, subdir, ref);
        }
        if (BARE_NAME.matcher(s).matches()) return inRepo(source, modulesDir.resolve(s).normalize(), repoRoot);
        if (REGISTRY.matcher(s).matches()) return new Registry(s, version);
        throw new IllegalArgumentException("`" + source + "` is not a module source Cairn understands");
    }

    /**
     * A local source must stay inside the repo, also once symlinks are resolved: a manifest must
     * not make Cairn read (and show in errors) files of the machine it runs on.
     */
    private static Local inRepo(String source, Path dir, Path repoRoot) {
        var root = repoRoot.toAbsolutePath().normalize();
        var outside = new IllegalArgumentException("`" + source + "` is outside the repo: local module sources must be folders inside "
                + root + " (copy the module into the repo, or publish it to git)");
        if (!dir.toAbsolutePath().normalize().startsWith(root)) throw outside;
        if (java.nio.file.Files.exists(dir)) {
            try {
                if (!dir.toRealPath().startsWith(root.toRealPath())) throw outside;
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot read `" + source + "`: " + e.getMessage());
            }
        }
        return new Local(dir);
    }

    default String describe() {
        return switch (this) {
            case Local l -> l.dir().toString();
            case Git g -> "git::" + g.url() + (g.subdir() == null ? "" : "//" + g.subdir()) + (g.ref() == null ? "" : "?ref=" + g.ref());
            case Registry r -> r.address() + (r.version() == null ? "" : " " + r.version());
            case Builtin b -> "cairn://" + b.path();
        };
    }
}
