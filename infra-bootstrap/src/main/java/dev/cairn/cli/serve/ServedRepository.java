package dev.cairn.cli.serve;

import dev.cairn.reconciler.manifest.RepositoryLoader;
import dev.cairn.reconciler.run.RunRefusedException;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository {@code cairn serve} reconciles: the root of a git work tree with
 * {@code cairn.yaml} at its top, the one the webhooks point at ({@code file://} URL) and that the
 * Slack app reads. A folder inside a larger repository (such as {@code examples/quickstart} in
 * Cairn's own) is refused: Prepare and the change detector read {@code cairn.yaml} at the
 * repository's root, and a push to the larger repository would name commits of it, so serving a
 * subfolder would need a rewritten history. The message says how to make the folder a repository.
 */
public record ServedRepository(Path root) {

    public ServedRepository {
        root = root.toAbsolutePath().normalize();
    }

    public static ServedRepository check(Path given) {
        var dir = given.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) throw new RunRefusedException("REPO " + given + " is not a folder");
        var copyHint = "make it a repository of its own: cp -r " + given + " /tmp/infra && cd /tmp/infra && rm -rf .cairn && echo .cairn/ > .gitignore"
                + " && git init -b main && git add -A && git commit -m init, then `cairn serve /tmp/infra`";
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
        if (!top.equals(dir)) {
            throw new RunRefusedException("REPO " + given + " is a folder inside the git repository " + top
                    + ", not its root: cairn.yaml must be at the root of the repository the webhooks point at; " + copyHint);
        }
        if (!Files.isRegularFile(dir.resolve(RepositoryLoader.CONFIG_FILE))) {
            throw new RunRefusedException("REPO " + given + " has no " + RepositoryLoader.CONFIG_FILE + " at its root (see examples/quickstart)");
        }
        return new ServedRepository(dir);
    }

    /** What {@code CAIRN_REPO_URL} is set to, and what a push's {@code clone_url} must name. */
    public String url() {
        return root.toUri().toString().replaceAll("/$", "");
    }
}
