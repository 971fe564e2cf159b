package dev.cairn.reconciler.run;

import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.stream.Stream;

import static dev.cairn.reconciler.run.TestRepos.auto;
import static dev.cairn.reconciler.run.TestRepos.reconciler;
import static dev.cairn.reconciler.run.TestRepos.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The state dir under attack (issue 12): files a commit planted in it, symlinks that would
 * redirect a write or a delete, and the modes of the secrets terraform writes there.
 */
class StateDirSecurityIT {
    @TempDir
    Path tmp;

    private Path repo() {
        var repo = tmp.resolve("repo");
        write(repo.resolve("modules/app/main.tf"), TestRepos.passthroughModule("label", "string"));
        write(repo.resolve("infrastructures/dev.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: dev
                spec:
                  modules:
                    - name: app
                      source: app
                      inputs:
                        label: hello
                """);
        return repo;
    }

    @Test
    void aStateDirThatGitTracksIsRefusedBeforeAnythingRuns() throws Exception {
        var repo = repo();
        // a commit plants a "cached" git module and a CLI config in the state dir
        write(repo.resolve(".cairn/cache/git/0123456789abcdef/objects/info/planted"), "x");
        write(repo.resolve(".cairn/terraform.rc"), "provider_installation { direct {} }\n");
        try (var git = Git.init().setDirectory(repo.toFile()).call()) {
            git.add().addFilepattern(".").call();
            git.commit().setMessage("innocent").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
        }

        assertThatThrownBy(() -> reconciler(repo).apply("dev", auto()))
                .isInstanceOf(RunRefusedException.class)
                .hasMessageContaining("holds files git tracks")
                .hasMessageContaining("git rm -r --cached .cairn");
        assertThat(repo.resolve(".cairn/state")).doesNotExist();
        assertThat(repo.resolve(".cairn/runs")).doesNotExist();

        // once untracked (and ignored), the same repo runs
        try (var git = Git.open(repo.toFile())) {
            git.rm().setCached(true).addFilepattern(".cairn").call();
        }
        write(repo.resolve(".gitignore"), ".cairn/\n");
        assertThat(reconciler(repo).apply("dev", auto()).status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void aSymlinkedWorkDirDoesNotMakeARunDeleteAnotherFoldersFiles() throws Exception {
        var repo = repo();
        var victim = Files.createDirectories(tmp.resolve("victim"));
        write(victim.resolve("precious.txt"), "keep me\n");
        Files.createDirectories(repo.resolve(".cairn/work/dev"));
        Files.createSymbolicLink(repo.resolve(".cairn/work/dev/app"), victim);

        var run = reconciler(repo).apply("dev", auto());

        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.stage("app").error()).contains("is a symlink inside the state dir");
        assertThat(victim.resolve("precious.txt")).hasContent("keep me");
        try (Stream<Path> files = Files.list(victim)) {
            assertThat(files.toList()).containsExactly(victim.resolve("precious.txt"));
        }
    }

    @Test
    void aSymlinkedStateFolderIsNotWrittenThrough() throws Exception {
        var repo = repo();
        var elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createDirectories(repo.resolve(".cairn/state"));
        Files.createSymbolicLink(repo.resolve(".cairn/state/dev"), elsewhere);

        var run = reconciler(repo).apply("dev", auto());

        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.stage("app").error()).contains("is a symlink inside the state dir");
        try (Stream<Path> files = Files.list(elsewhere)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void stateAndPlansAreOwnerOnlyAfterARealApply() throws Exception {
        var repo = repo();
        var state = repo.resolve(".cairn");

        assertThat(reconciler(repo).apply("dev", auto()).status()).isEqualTo(RunStatus.SUCCEEDED);
        // a plan-only run leaves its saved plan in the work dir
        write(repo.resolve("infrastructures/dev.yaml"), Files.readString(repo.resolve("infrastructures/dev.yaml")).replace("hello", "changed"));
        assertThat(reconciler(repo).plan("dev", auto()).status()).isEqualTo(RunStatus.SUCCEEDED);

        assertThat(Files.getPosixFilePermissions(state)).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
        var tfstate = state.resolve("state/dev/app.tfstate");
        var plan = state.resolve("work/dev/app/cairn.tfplan");
        assertThat(tfstate).exists();
        assertThat(plan).exists();
        for (var secretFile : new Path[]{tfstate, plan}) {
            assertThat(Files.getPosixFilePermissions(secretFile)).as(secretFile.toString())
                    .doesNotContain(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ,
                            PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
        }
        // everything terraform created: nothing readable by group or others
        try (Stream<Path> files = Files.walk(state.resolve("work/dev/app/.terraform"))) {
            for (var file : files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> !p.getFileName().toString().equals("cairn-init.sha256")) // Cairn's own marker: a hash, no secret
                    .toList()) {
                assertThat(Files.getPosixFilePermissions(file)).as(file.toString())
                        .doesNotContain(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
            }
        }
    }
    @Test
    void anIgnoredStateDirInThisCheckoutIsAccepted() {
        // this checkout (a clone or a linked worktree) ignores .cairn/: nothing is tracked there
        var quickstart = dev.cairn.reconciler.RepoFiles.checkoutRoot().resolve("examples/quickstart");
        StateDirGuard.check(quickstart, quickstart.resolve(".cairn"));
        assertThatThrownBy(() -> StateDirGuard.check(quickstart, quickstart.resolve("modules")))
                .isInstanceOf(RunRefusedException.class).hasMessageContaining("holds files git tracks");
    }
}
