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

    /**
     * {@code git::URL[//subdir][?ref=REF]}; fetched with JGit. {@code url} never holds a secret:
     * a password or token written in the URL's user info is moved to {@code credentials}, so
     * that nothing shown or stored (messages, run records, logs, the cache's git config) has it.
     */
    record Git(String url, String subdir, String ref, GitCredentials credentials) implements ModuleSource {
        private static final Pattern HTTP_USER_INFO = Pattern.compile("^(https?://)([^/@]*)@(.*)$", Pattern.CASE_INSENSITIVE);
        private static final Pattern PASSWORD = Pattern.compile("^([a-z][a-z0-9+.-]*://[^/@:]*):([^/@]*)@(.*)$", Pattern.CASE_INSENSITIVE);

        public Git {
            var http = HTTP_USER_INFO.matcher(url);
            var password = PASSWORD.matcher(url);
            if (http.matches()) {
                // https://TOKEN@host/... or https://USER:TOKEN@host/...
                var info = http.group(2);
                var colon = info.indexOf(':');
                if (credentials == null) {
                    credentials = colon < 0 ? new GitCredentials(GitCredentials.TOKEN_USER, decode(info))
                            : new GitCredentials(decode(info.substring(0, colon)), decode(info.substring(colon + 1)));
                }
                url = http.group(1) + http.group(3);
            } else if (password.matches()) {
                // ssh://USER:PASSWORD@host/...: the user name stays (it is no secret), the password moves
                if (credentials == null) credentials = new GitCredentials(decode(password.group(1).replaceFirst("^.*://", "")), decode(password.group(2)));
                url = password.group(1) + "@" + password.group(3);
            }
        }

        public Git(String url, String subdir, String ref) {
            this(url, subdir, ref, null);
        }

        private static String decode(String text) {
            return java.net.URLDecoder.decode(text.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** A user name and secret for a git remote; {@link #toString} never shows the secret. */
    record GitCredentials(String user, String secret) {
        /** GitHub, GitLab and most hosts take a token as the password of any user; this is the name Cairn uses. */
        public static final String TOKEN_USER = "x-access-token";

        @Override
        public String toString() {
            return "GitCredentials[user=" + user + ", secret=(sensitive)]";
        }
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
