package dev.cairn.reconciler.manifest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The repository path: the folder inside a git repository that holds {@code cairn.yaml} (a
 * monorepo keeps its infrastructure in, say, {@code infra/}); {@code ""} is the repository's root,
 * the default. Everything Cairn reads of a commit — manifests, modules, applications, the folders
 * {@code cairn.yaml} names — is relative to it, and nothing outside it is read.
 *
 * <p>The value comes from configuration ({@value #VARIABLE}), so it is validated where it enters:
 * relative, normalized ({@code a/b}: no {@code .} or {@code ..} segments, no empty segment, no
 * leading or trailing {@code /}, no backslash or control character). Joining it onto a folder
 * checks containment again at the join ({@link #resolveIn}).
 */
public record RepoPath(String value) {
    /** The environment variable every handler reads it from. */
    public static final String VARIABLE = "CAIRN_REPO_PATH";
    public static final RepoPath ROOT = new RepoPath("");
    private static final Pattern SEGMENT = Pattern.compile("[^/\\\\\\p{Cntrl}:*?\"<>|]+");

    public RepoPath {
        if (value == null) throw new IllegalArgumentException("the repository path is null");
        if (!value.isEmpty()) check(value);
    }

    /**
     * {@code raw} validated; blank (or absent) is the root.
     *
     * @throws IllegalArgumentException naming what is wrong and what a valid value looks like
     */
    public static RepoPath of(String raw) {
        return raw == null || raw.isBlank() ? ROOT : new RepoPath(raw);
    }

    /** {@value #VARIABLE} of {@code env}, validated; unset or blank is the root. */
    public static RepoPath fromEnv(Map<String, String> env) {
        try {
            return of(env.get(VARIABLE));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(VARIABLE + ": " + e.getMessage(), e);
        }
    }

    private static void check(String value) {
        var hint = " (a relative folder inside the repository, like infra or examples/quickstart; empty for the root)";
        if (value.startsWith("/") || value.matches("^[A-Za-z]:.*")) {
            throw new IllegalArgumentException("the repository path `" + printable(value) + "` is absolute" + hint);
        }
        if (value.endsWith("/")) throw new IllegalArgumentException("the repository path `" + printable(value) + "` ends with /" + hint);
        for (var segment : value.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                throw new IllegalArgumentException("the repository path `" + printable(value) + "` has a `" + segment + "` segment" + hint);
            }
            if (segment.isEmpty() || !SEGMENT.matcher(segment).matches() || !segment.strip().equals(segment)) {
                throw new IllegalArgumentException("the repository path `" + printable(value) + "` is not a normalized folder path" + hint);
            }
        }
    }

    private static String printable(String value) {
        var cut = value.length() > 80 ? value.substring(0, 80) + "…" : value;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    public boolean isRoot() {
        return value.isEmpty();
    }

    /**
     * The folder this path names under {@code root}, checked to stay inside it: lexically, and, when
     * both exist, with symbolic links resolved (a link inside a work tree must not lead out of it).
     */
    public Path resolveIn(Path root) {
        var base = root.toAbsolutePath().normalize();
        var dir = base.resolve(value).normalize();
        if (!dir.startsWith(base)) throw new IllegalArgumentException("the repository path `" + value + "` leaves " + base);
        if (!isRoot() && Files.exists(dir)) {
            try {
                if (!dir.toRealPath().startsWith(base.toRealPath())) {
                    throw new IllegalArgumentException("the repository path `" + value + "` leads out of " + base + " through a symbolic link");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot resolve the repository path " + value + " under " + base, e);
            }
        }
        return dir;
    }

    /** {@code name} (a path relative to this folder) as a path from the repository's root. */
    public String child(String name) {
        return isRoot() ? name : value + "/" + name;
    }

    @Override
    public String toString() {
        return isRoot() ? "." : value;
    }
}
