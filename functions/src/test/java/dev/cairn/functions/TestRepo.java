package dev.cairn.functions;

import dev.cairn.reconciler.RepoFiles;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.transport.RefSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * An infrastructure repo made with JGit: a work tree where the test commits, pushed to a bare
 * repository that the webhook fetches through its {@code file://} URL, as it would a forge.
 */
public final class TestRepo implements AutoCloseable {
    private static final PersonIdent AUTHOR = new PersonIdent("Cairn Test", "test@cairn.dev", Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    static final String CONFIG = """
            apiVersion: cairn.dev/v1
            kind: Repository
            branch: main
            defaults:
              provider: { cloud: none }
            """;

    public static String manifest(String name, String cidr) {
        return """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: %s
                spec:
                  modules:
                    - name: network
                      source: ./modules/network
                      inputs:
                        cidr: "%s"
                """.formatted(name, cidr);
    }

    final Path work;
    final Path bare;
    final Git git;

    private TestRepo(Path work, Path bare, Git git) {
        this.work = work;
        this.bare = bare;
        this.git = git;
    }

    /** dev and prod, one shared local module, committed on main and pushed. */
    public static TestRepo twoInfrastructures(Path dir) {
        try {
            var bare = dir.resolve("origin.git");
            Git.init().setBare(true).setInitialBranch("main").setGitDir(bare.toFile()).setDirectory(bare.toFile()).call().close();
            var repo = new TestRepo(dir.resolve("work"), bare, Git.init().setDirectory(dir.resolve("work").toFile()).setInitialBranch("main").call());
            repo.write("cairn.yaml", CONFIG)
                    .write("infrastructures/dev.yaml", manifest("dev", "10.0.0.0/16"))
                    .write("infrastructures/prod.yaml", manifest("prod", "10.1.0.0/16"))
                    .write("modules/network/main.tf", "variable \"cidr\" {}\nresource \"terraform_data\" \"vpc\" { input = var.cidr }\n");
            repo.commitAndPush("main", "base");
            return repo;
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return bare.toUri().toString();
    }

    public TestRepo write(String path, String text) {
        RepoFiles.write(work, path, text);
        return this;
    }

    TestRepo delete(String path) {
        try {
            Files.delete(work.resolve(path));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    TestRepo checkout(String branch, boolean create) {
        try {
            git.checkout().setName(branch).setCreateBranch(create).call();
            return this;
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Commits every change and pushes {@code branch}; returns the new commit id. */
    public String commitAndPush(String branch, String message) {
        try {
            git.add().addFilepattern(".").call();
            git.add().setUpdate(true).addFilepattern(".").call();
            var id = git.commit().setMessage(message).setAuthor(AUTHOR).setCommitter(AUTHOR).setSign(false).call().getId().name();
            git.push().setRemote(url()).setRefSpecs(new RefSpec("refs/heads/" + branch + ":refs/heads/" + branch)).call();
            return id;
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    public String head() {
        try {
            return git.getRepository().resolve("HEAD").name();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        git.close();
    }
}
