package dev.cairn.reconciler.change;

import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The files of one commit, read from git objects only (a bare repository is enough; nothing is
 * checked out). Paths are repo-relative with {@code /}; a path that leaves the repository
 * ({@code ..} above the root, absolute) is never looked up: a commit is untrusted input.
 */
final class GitTree {
    /** Blobs larger than this are not read (a manifest or a module's .tf file is kilobytes). */
    static final int MAX_BLOB = 4 * 1024 * 1024;

    /** A file in the tree: its path, blob id and mode. */
    record Entry(String path, ObjectId id, FileMode mode) {
        boolean isSymlink() {
            return mode == FileMode.SYMLINK;
        }

        boolean isFile() {
            return mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE;
        }
    }

    private final ObjectReader reader;
    private final RevTree root;
    private final Map<String, Optional<Entry>> folders = new HashMap<>();

    GitTree(ObjectReader reader, RevTree root) {
        this.reader = reader;
        this.root = root;
    }

    /**
     * {@code path} made repo-relative and normal ({@code ""} is the root), or empty when it leaves
     * the repository: absolute, a drive letter, or {@code ..} above the root.
     */
    static Optional<String> normalize(String path) {
        if (path == null) return Optional.empty();
        var p = path.trim().replace('\\', '/');
        if (p.startsWith("/") || p.matches("^[A-Za-z]:.*")) return Optional.empty();
        var parts = new ArrayDeque<String>();
        for (var part : p.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (parts.isEmpty()) return Optional.empty();
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        return Optional.of(String.join("/", parts));
    }

    /** {@code relative} resolved against the folder {@code dir} (both repo-relative), if it stays inside. */
    static Optional<String> resolve(String dir, String relative) {
        if (relative.startsWith("/")) return Optional.empty();
        return normalize(dir.isEmpty() ? relative : dir + "/" + relative);
    }

    /** The entry at a normal repo-relative path, or empty when there is none. */
    Optional<Entry> entry(String path) {
        if (path.isEmpty()) return Optional.of(new Entry("", root.getId(), FileMode.TREE));
        try (var walk = TreeWalk.forPath(reader, path, root)) {
            if (walk == null) return Optional.empty();
            return Optional.of(new Entry(path, walk.getObjectId(0), walk.getFileMode(0)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The id of the folder at {@code path} (a tree id: equal ids, equal contents), or null when it is no folder. */
    ObjectId folderId(String path) {
        return version(path).filter(e -> e.mode() == FileMode.TREE).map(Entry::id).orElse(null);
    }

    /**
     * What a module folder is at this commit: its tree id, or for a git submodule the commit it
     * points at; null when there is neither.
     */
    ObjectId moduleId(String path) {
        return version(path).map(Entry::id).orElse(null);
    }

    private Optional<Entry> version(String path) {
        return folders.computeIfAbsent(path, p -> entry(p).filter(e -> e.mode() == FileMode.TREE || e.mode() == FileMode.GITLINK));
    }

    /** Every file and symlink under the folder {@code dir}, at any depth, in path order; none when it is no folder. */
    List<Entry> files(String dir) {
        return list(dir, true);
    }

    /** The files and symlinks directly in the folder {@code dir}. */
    List<Entry> filesIn(String dir) {
        return list(dir, false);
    }

    private List<Entry> list(String dir, boolean recursive) {
        var folder = folderId(dir);
        if (folder == null) return List.of();
        var out = new ArrayList<Entry>();
        try (var walk = new TreeWalk(reader)) {
            walk.addTree(folder);
            walk.setRecursive(recursive);
            while (walk.next()) {
                var mode = walk.getFileMode(0);
                if (mode == FileMode.TREE || mode == FileMode.GITLINK) continue;
                var path = dir.isEmpty() ? walk.getPathString() : dir + "/" + walk.getPathString();
                out.add(new Entry(path, walk.getObjectId(0), mode));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The text of a blob (UTF-8), or empty when it is larger than {@link #MAX_BLOB}. */
    Optional<String> text(ObjectId blob) {
        try {
            var loader = reader.open(blob, Constants.OBJ_BLOB);
            if (loader.getSize() > MAX_BLOB) return Optional.empty();
            return Optional.of(new String(loader.getCachedBytes(MAX_BLOB), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The regular file a symlink at {@code link} points to, followed once and only inside the
     * repository; empty when it leaves the repo, dangles or points at another symlink or a folder.
     */
    Optional<Entry> followSymlink(Entry link) {
        var target = text(link.id()).orElse("");
        var slash = link.path().lastIndexOf('/');
        var dir = slash < 0 ? "" : link.path().substring(0, slash);
        return resolve(dir, target).flatMap(this::entry).filter(Entry::isFile);
    }
}
