package dev.cairn.reconciler.run;

import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Refuses a state dir that git tracks: Cairn trusts what is in its state dir (module cache,
 * work dirs, CLI config), so a commit must not be able to put anything there.
 */
final class StateDirGuard {
    private StateDirGuard() {
    }

    /** @throws RunRefusedException when a file at or under {@code stateDir} is in the index of the git repo holding {@code repoRoot} */
    static void check(Path repoRoot, Path stateDir) {
        var builder = new FileRepositoryBuilder().findGitDir(repoRoot.toAbsolutePath().toFile());
        if (builder.getGitDir() == null) return;
        try (var git = builder.setMustExist(true).build()) {
            if (git.isBare()) return;
            var workTree = real(git.getWorkTree().toPath());
            var state = real(stateDir);
            if (!state.startsWith(workTree) || state.equals(workTree)) return;
            var prefix = workTree.relativize(state).toString().replace('\\', '/');
            var index = git.readDirCache();
            for (int i = 0; i < index.getEntryCount(); i++) {
                var path = index.getEntry(i).getPathString();
                if (path.equals(prefix) || path.startsWith(prefix + "/")) {
                    throw new RunRefusedException("the state dir " + stateDir + " holds files git tracks (`" + path
                            + "`): a commit could plant module code, links or config there. Remove them from git ("
                            + "git rm -r --cached " + prefix + "), add `" + prefix + "/` to .gitignore, and run again");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the git index of " + repoRoot, e);
        }
    }

    /** The real path of {@code path}, or of its nearest existing parent with the rest appended. */
    private static Path real(Path path) throws IOException {
        var abs = path.toAbsolutePath().normalize();
        var existing = abs;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing == null) return abs;
        return existing.toRealPath().resolve(existing.relativize(abs));
    }
}
