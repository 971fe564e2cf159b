package dev.cairn.reconciler.change;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;

/** A real git repository in a temp folder, made with JGit: write files, commit, get the commit id. */
final class GitFixture implements AutoCloseable {
    private static final PersonIdent AUTHOR = new PersonIdent("Cairn Test", "test@cairn.dev", Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    final Path dir;
    final Git git;

    private GitFixture(Path dir, Git git) {
        this.dir = dir;
        this.git = git;
    }

    static GitFixture init(Path dir) {
        try {
            return new GitFixture(dir, Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call());
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    Repository repo() {
        return git.getRepository();
    }

    GitFixture write(String path, String text) {
        try {
            var file = dir.resolve(path);
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    GitFixture delete(String path) {
        try {
            Files.delete(dir.resolve(path));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    GitFixture move(String from, String to) {
        try {
            var target = dir.resolve(to);
            Files.createDirectories(target.getParent());
            Files.move(dir.resolve(from), target);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    GitFixture symlink(String path, String target) {
        try {
            var link = dir.resolve(path);
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, Path.of(target));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stages every change in the work tree (additions, edits, deletions) and commits it. */
    ObjectId commit(String message) {
        try {
            git.add().addFilepattern(".").call();
            git.add().setUpdate(true).addFilepattern(".").call();
            return git.commit().setMessage(message).setAuthor(AUTHOR).setCommitter(AUTHOR).setSign(false).setAllowEmpty(true).call().getId();
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Commits a git submodule entry at {@code path} pointing at {@code commit}, straight into the
     * index (no work tree; the next {@link #commit} would drop it).
     */
    ObjectId commitSubmodule(String path, ObjectId commit, String message) {
        try {
            var index = repo().lockDirCache();
            var editor = index.editor();
            editor.add(new DirCacheEditor.PathEdit(path) {
                @Override
                public void apply(DirCacheEntry entry) {
                    entry.setFileMode(FileMode.GITLINK);
                    entry.setObjectId(commit);
                }
            });
            editor.commit();
            return git.commit().setMessage(message).setAuthor(AUTHOR).setCommitter(AUTHOR).setSign(false).call().getId();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A bare clone (what the webhook keeps): no work tree at all. */
    Repository bareClone(Path target) {
        try {
            return Git.cloneRepository().setURI(dir.toUri().toString()).setDirectory(target.toFile()).setBare(true)
                    .setCloneAllBranches(true).call().getRepository();
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        git.close();
    }
}
