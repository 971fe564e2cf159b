package dev.cairn.reconciler.store.local;

import dev.cairn.reconciler.store.LockStore.LockOwner;
import dev.cairn.reconciler.store.LockStore.LockedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * When a local lock without a lease counts as left behind: only when its holder is a process of
 * <em>this</em> host that no longer exists. The same pid on another host says nothing about that
 * host's process, so such a lock is never taken over (nor removed by {@code cairn unlock} without
 * {@code --force}).
 */
class LocalLockStalenessTest {
    @TempDir
    Path dir;

    private static long deadPid() throws Exception {
        var gone = new ProcessBuilder("true").start();
        gone.waitFor();
        assertThat(ProcessHandle.of(gone.pid())).isEmpty();
        return gone.pid();
    }

    @Test
    void aDeadPidOfThisHostIsStaleAndItsLockIsTakenOver() throws Exception {
        var store = new LocalLockStore(dir);
        var crashed = new LockOwner("crashed", LocalLockStore.hostName(), deadPid(), Instant.now());
        store.acquire("dev", crashed);
        assertThat(LocalLockStore.isStale(crashed)).isTrue();

        store.acquire("dev", new LockOwner("next", LocalLockStore.hostName(), ProcessHandle.current().pid(), Instant.now()));
        assertThat(store.owner("dev")).get().extracting(LockOwner::runId).isEqualTo("next");
    }

    @Test
    void theSameDeadPidOnAnotherHostIsNotStaleAndItsLockIsKept() throws Exception {
        var store = new LocalLockStore(dir);
        var elsewhere = new LockOwner("elsewhere", "not-" + LocalLockStore.hostName(), deadPid(), Instant.now());
        store.acquire("dev", elsewhere);
        assertThat(LocalLockStore.isStale(elsewhere)).isFalse();

        assertThatThrownBy(() -> store.acquire("dev", new LockOwner("next", LocalLockStore.hostName(), ProcessHandle.current().pid(), Instant.now())))
                .isInstanceOfSatisfying(LockedException.class, e -> assertThat(e.owner()).isEqualTo(elsewhere));
    }

    @Test
    void aLivePidOfThisHostIsNotStaleAndPidZeroNeverIs() {
        assertThat(LocalLockStore.isStale(new LockOwner("live", LocalLockStore.hostName(), ProcessHandle.current().pid(), Instant.now()))).isFalse();
        assertThat(LocalLockStore.isStale(new LockOwner("lambda", LocalLockStore.hostName(), 0, Instant.now()))).isFalse();
    }

    @Test
    void aLeaseDecidesOverTheProcess() throws Exception {
        var now = Instant.now();
        // a live process whose lease ran out is stale; a dead one whose lease runs is not
        assertThat(LocalLockStore.isStale(new LockOwner("a", LocalLockStore.hostName(), ProcessHandle.current().pid(), now,
                now.minusSeconds(1), null))).isTrue();
        assertThat(LocalLockStore.isStale(new LockOwner("b", LocalLockStore.hostName(), deadPid(), now,
                now.plusSeconds(60), null))).isFalse();
    }
}
