package dev.cairn.cli;

import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.store.LockStore.LockOwner;
import dev.cairn.reconciler.store.local.LocalLockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cairn unlock} removes the lock of a run that is gone, and refuses (exit 1, naming the
 * holder) one whose run may still be running unless {@code --force}. Locks are real lock files in a
 * real state dir; liveness is a real process of this host.
 */
class UnlockCommandTest {
    @TempDir
    Path repo;

    record Result(int exit, String out, String err) {
    }

    Result cairn(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Cairn.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    LocalLockStore locks() {
        return new LocalLockStore(repo.resolve(".cairn/locks"));
    }

    Path lockFile() {
        return repo.resolve(".cairn/locks/dev.lock");
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    /** The pid of a process of this host that has exited. */
    static long deadPid() throws Exception {
        var java = ProcessHandle.current().info().command().orElseThrow();
        var process = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        process.waitFor();
        assertThat(ProcessHandle.of(process.pid())).isEmpty();
        return process.pid();
    }

    @Test
    void aLockHeldByALiveProcessOfThisHostIsRefusedAndNamesItsHolder() {
        var pid = ProcessHandle.current().pid();
        locks().acquire("dev", new LockOwner("20261122T000000Z-abcdef", LocalLockStore.hostName(), pid, now()));

        var unlock = cairn("unlock", repo.toString(), "--infra", "dev");

        assertThat(unlock.exit()).isEqualTo(Cairn.RUN_FAILED);
        assertThat(unlock.err()).contains("run 20261122T000000Z-abcdef")
                .contains("pid " + pid)
                .contains(LocalLockStore.hostName())
                .contains("still running")
                .contains("--force");
        assertThat(unlock.out()).doesNotContain("Removed");
        assertThat(lockFile()).exists();
        assertThat(locks().owner("dev")).get().extracting(LockOwner::runId).isEqualTo("20261122T000000Z-abcdef");
    }

    @Test
    void forceRemovesALiveHoldersLock() {
        locks().acquire("dev", new LockOwner("run-live", LocalLockStore.hostName(), ProcessHandle.current().pid(), now()));

        var unlock = cairn("unlock", repo.toString(), "--infra", "dev", "--force");

        assertThat(unlock.exit()).isZero();
        assertThat(unlock.out()).contains("Removed the lock of `dev` held by run run-live");
        assertThat(lockFile()).doesNotExist();
    }

    @Test
    void aLockLeftByAProcessThatIsGoneIsRemovedWithoutForce() throws Exception {
        var pid = deadPid();
        locks().acquire("dev", new LockOwner("run-crashed", LocalLockStore.hostName(), pid, now()));

        var unlock = cairn("unlock", repo.toString(), "--infra", "dev");

        assertThat(unlock.exit()).as(unlock.err()).isZero();
        assertThat(unlock.out()).contains("Removed the lock of `dev` held by run run-crashed").contains("pid " + pid);
        assertThat(lockFile()).doesNotExist();
    }

    @Test
    void aHolderOnAnotherHostIsRefusedBecauseItsProcessCannotBeSeen() throws Exception {
        // the pid is dead here, but it is another host's pid: nothing says that run is gone
        locks().acquire("dev", new LockOwner("run-elsewhere", "ci-runner-7", deadPid(), now()));

        var unlock = cairn("unlock", repo.toString(), "--infra", "dev");

        assertThat(unlock.exit()).isEqualTo(Cairn.RUN_FAILED);
        assertThat(unlock.err()).contains("run run-elsewhere").contains("ci-runner-7").contains("another host");
        assertThat(lockFile()).exists();
    }

    @Test
    void aLeaseThatRanOutIsRemovedAndOneThatHasNotIsRefused() {
        var future = now().plusSeconds(600);
        locks().acquire("dev", new LockOwner("run-leased", "cairn-prepare", 0, now(), future, null));
        var refused = cairn("unlock", repo.toString(), "--infra", "dev");
        assertThat(refused.exit()).isEqualTo(Cairn.RUN_FAILED);
        assertThat(refused.err()).contains("run run-leased").contains("lease until " + future).contains("lease has not run out");
        assertThat(lockFile()).exists();

        locks().forceRelease("dev");
        locks().acquire("dev", new LockOwner("run-expired", "cairn-prepare", 0, now().minusSeconds(60), now().minusSeconds(1), null));
        var removed = cairn("unlock", repo.toString(), "--infra", "dev");
        assertThat(removed.exit()).isZero();
        assertThat(lockFile()).doesNotExist();
    }

    @Test
    void jsonReportsTheRefusalWithTheHolderAndReleasesNothing() throws Exception {
        locks().acquire("dev", new LockOwner("run-live", LocalLockStore.hostName(), ProcessHandle.current().pid(), now()));

        var unlock = cairn("unlock", repo.toString(), "--infra", "dev", "-o", "json");

        assertThat(unlock.exit()).isEqualTo(Cairn.RUN_FAILED);
        var body = Json.MAPPER.readTree(unlock.out());
        assertThat(body.at("/released").isNull()).isTrue();
        assertThat(body.at("/heldBy/runId").asText()).isEqualTo("run-live");
        assertThat(body.at("/heldBy/pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(lockFile()).exists();
    }

    @Test
    void anUnlockedInfrastructureIsReportedAsSuch() throws Exception {
        Files.createDirectories(repo.resolve(".cairn/locks"));
        var unlock = cairn("unlock", repo.toString(), "--infra", "dev");
        assertThat(unlock.exit()).isZero();
        assertThat(unlock.out()).contains("`dev` is not locked.");
    }
}
