package dev.cairn.cli.serve;

import dev.cairn.reconciler.run.RunRefusedException;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@code cairn serve REPO} accepts: a folder with cairn.yaml in a git work tree with a commit (its root or a folder inside); anything else is refused with what to do. */
class ServeRepositoryTest {
    @TempDir
    Path tmp;

    @Test
    void theRootOfAWorkTreeWithACommitIsServedAsAFileUrl() throws Exception {
        var dir = repo(tmp.resolve("infra"));
        var served = ServedRepository.check(dir);
        assertThat(served.root()).isEqualTo(dir.toAbsolutePath().normalize());
        assertThat(served.url()).startsWith("file:/").endsWith("/infra");
    }

    @Test
    void aFolderInsideALargerRepositoryIsServedAsThatRepositoryWithTheFolderAsItsRepositoryPath() throws Exception {
        var outer = tmp.resolve("cairn");
        var inner = outer.resolve("examples/quickstart");
        Files.createDirectories(inner);
        Files.writeString(inner.resolve("cairn.yaml"), "apiVersion: cairn.dev/v1\nkind: Repository\n");
        Files.writeString(outer.resolve("README.md"), "the project\n");
        commitAll(outer);
        var served = ServedRepository.check(inner);
        assertThat(served.root()).isEqualTo(outer.toAbsolutePath().normalize());
        assertThat(served.path().value()).isEqualTo("examples/quickstart");
        assertThat(served.url()).startsWith("file:/").endsWith("/cairn");
        assertThat(served.folder()).isEqualTo(inner.toAbsolutePath().normalize());
        assertThat(served.describe()).contains("folder examples/quickstart of the git repository " + outer.toAbsolutePath().normalize());
        // the root of the same repository is served as the root
        Files.writeString(outer.resolve("cairn.yaml"), "apiVersion: cairn.dev/v1\nkind: Repository\n");
        assertThat(ServedRepository.check(outer).path().isRoot()).isTrue();
        // a relative spelling with .. that ends inside the work tree is the same folder
        assertThat(ServedRepository.check(inner.resolve("../quickstart")).path().value()).isEqualTo("examples/quickstart");
    }

    @Test
    void aFolderInsideARepositoryWithoutCairnYamlIsRefused() throws Exception {
        var outer = repo(tmp.resolve("mono"));
        var app = Files.createDirectories(outer.resolve("app"));
        assertThatThrownBy(() -> ServedRepository.check(app)).isInstanceOf(RunRefusedException.class)
                .hasMessageContaining("has no cairn.yaml (the folder that holds it is what to serve)");
    }

    @Test
    void aFolderReachedThroughASymbolicLinkOutOfTheWorkTreeIsNotAFolderOfIt() throws Exception {
        var outer = repo(tmp.resolve("mono"));
        var elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("cairn.yaml"), "apiVersion: cairn.dev/v1\nkind: Repository\n");
        var link = Files.createSymbolicLink(outer.resolve("infra"), elsewhere);
        // the link resolves outside the work tree: elsewhere is in no repository
        assertThatThrownBy(() -> ServedRepository.check(link)).isInstanceOf(RunRefusedException.class)
                .hasMessageContaining("is not inside the work tree");
    }

    @Test
    void aFolderOutsideAnyRepositoryIsRefused() throws Exception {
        var plain = Files.createDirectories(tmp.resolve("plain"));
        Files.writeString(plain.resolve("cairn.yaml"), "apiVersion: cairn.dev/v1\nkind: Repository\n");
        assertThatThrownBy(() -> ServedRepository.check(plain)).isInstanceOf(RunRefusedException.class)
                .hasMessageContaining("is not in a git repository").hasMessageContaining("git init");
    }

    @Test
    void aRepositoryWithoutACommitOrWithoutCairnYamlIsRefused() throws Exception {
        var empty = Files.createDirectories(tmp.resolve("empty"));
        Git.init().setDirectory(empty.toFile()).setInitialBranch("main").call().close();
        assertThatThrownBy(() -> ServedRepository.check(empty)).hasMessageContaining("has no commit yet");

        var other = Files.createDirectories(tmp.resolve("other"));
        try (var git = Git.init().setDirectory(other.toFile()).setInitialBranch("main").call()) {
            Files.writeString(other.resolve("README.md"), "not infrastructure\n");
            git.add().addFilepattern(".").call();
            git.commit().setMessage("readme").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
        }
        assertThatThrownBy(() -> ServedRepository.check(other)).hasMessageContaining("has no cairn.yaml at its root");
        assertThatThrownBy(() -> ServedRepository.check(tmp.resolve("missing"))).hasMessageContaining("is not a folder");
    }

    private static void commitAll(Path dir) throws Exception {
        try (var git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            git.commit().setMessage("all").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
        }
    }

    private static Path repo(Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cairn.yaml"), "apiVersion: cairn.dev/v1\nkind: Repository\n");
        try (var git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            git.commit().setMessage("infra").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
        }
        return dir;
    }
}
