package dev.cairn.cli.serve;

import dev.cairn.reconciler.manifest.RepoPath;
import dev.cairn.reconciler.manifest.RepositoryLoader;
import dev.cairn.reconciler.run.RunRefusedException;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository {@code cairn serve} reconciles: a git work tree, the one the webhooks point at
 * ({@code file://} URL of its root) and that the Slack app reads, and the folder of it that holds
 * {@code cairn.yaml} — its root, or a folder inside it (a monorepo's {@code infra/}, or
 * {@code examples/quickstart} in Cairn's own checkout), which becomes the repository path
 * ({@code CAIRN_REPO_PATH}): only changes under it start runs.
 *
 * @param root the root of the work tree
 * @param path where {@code cairn.yaml} is, relative to {@code root}
 */
public record ServedRepository(Path root, RepoPath path) {

    public ServedRepository {
        root = root.toAbsolutePath().normalize();
    }

    public ServedRepository(Path root) {
        this(root, RepoPath.ROOT);
    }

    public static ServedRepository check(Path given) {
        var dir = given.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) throw new RunRefusedException("REPO " + given + " is not a folder");
        var copyHint = "make it a repository: cd " + given + " && git init -b main && git add -A && git commit -m init"
                + " (with .cairn/ in .gitignore), then `cairn serve " + given + "`";
        var found = new FileRepositoryBuilder().findGitDir(dir.toFile());
        if (found.getGitDir() == null) {
            throw new RunRefusedException("REPO " + given + " is not in a git repository: cairn serve runs the commits webhooks name; " + copyHint);
        }
        Path top;
        try (var repository = found.setMustExist(true).build()) {
            if (repository.isBare()) throw new RunRefusedException("REPO " + given + " is a bare repository; serve a work tree (a clone of it)");
            top = repository.getWorkTree().toPath().toAbsolutePath().normalize();
            if (repository.resolve("HEAD") == null) {
                throw new RunRefusedException("REPO " + given + " has no commit yet: commit the infrastructure files first (git add -A && git commit)");
            }
        } catch (IOException e) {
            throw new RunRefusedException("REPO " + given + ": cannot read its git repository (" + e.getMessage() + ")");
        }
        RepoPath path;
        try {
            var realTop = top.toRealPath();
            var realDir = dir.toRealPath();
            if (!realDir.startsWith(realTop)) {
                throw new RunRefusedException("REPO " + given + " is not inside the work tree " + top + " of its git repository");
            }
            path = RepoPath.of(realTop.relativize(realDir).toString().replace('\\', '/'));
        } catch (IOException e) {
            throw new RunRefusedException("REPO " + given + ": cannot resolve it inside " + top + " (" + e.getMessage() + ")");
        } catch (IllegalArgumentException e) {
            throw new RunRefusedException("REPO " + given + ": " + e.getMessage());
        }
        if (!Files.isRegularFile(dir.resolve(RepositoryLoader.CONFIG_FILE))) {
            throw new RunRefusedException("REPO " + given + " has no " + RepositoryLoader.CONFIG_FILE
                    + (path.isRoot() ? " at its root" : " (the folder that holds it is what to serve)") + " (see examples/quickstart)");
        }
        return new ServedRepository(top, path);
    }

    /** What {@code CAIRN_REPO_URL} is set to, and what a push's {@code clone_url} must name: the work tree's root. */
    public String url() {
        return root.toUri().toString().replaceAll("/$", "");
    }

    /** The folder that holds {@code cairn.yaml}: {@link #root()}, or the repository path under it. */
    public Path folder() {
        return path.resolveIn(root);
    }

    /** How the start message and the status page name it. */
    public String describe() {
        return path.isRoot() ? root.toString() : folder() + " (folder " + path.value() + " of the git repository " + root + ")";
    }
}
