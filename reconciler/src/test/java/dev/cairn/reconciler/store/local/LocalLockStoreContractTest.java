package dev.cairn.reconciler.store.local;

import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.store.LockStore.LockOwner;
import dev.cairn.reconciler.store.LockStore.LockedException;
import dev.cairn.reconciler.store.contract.LockStoreContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalLockStoreContractTest extends LockStoreContract {
    @TempDir
    Path dir;

    @Override
    protected LockStore newStore() {
        return new LocalLockStore(dir);
    }

    @Override
    protected int contentionTrials() {
        return 200;
    }

    private static long deadPid() throws Exception {
        var gone = new ProcessBuilder("true").start();
        gone.waitFor();
        return gone.pid();
    }

    /** Issue 12 finding 5: 8 threads on one stale lock saw more than one winner in 47 of 200 trials. */
    @Test
    void ofEightThreadsTakingOverALockOfADeadProcessExactlyOneWinsInEveryTrial() throws Exception {
        long dead = deadPid();
        int threads = 8;
        try (var pool = Executors.newFixedThreadPool(threads)) {
            for (int trial = 0; trial < 200; trial++) {
                var infra = "dev-" + trial;
                new LocalLockStore(dir).acquire(infra, new LockOwner("crashed", LocalLockStore.hostName(), dead, Instant.now()));
                var ready = new CountDownLatch(threads);
                var go = new CountDownLatch(1);
                var futures = new ArrayList<Future<String>>();
                for (int t = 0; t < threads; t++) {
                    var runId = "run-" + t;
                    futures.add(pool.submit(() -> {
                        ready.countDown();
                        go.await();
                        try {
                            new LocalLockStore(dir).acquire(infra, new LockOwner(runId, LocalLockStore.hostName(),
                                    ProcessHandle.current().pid(), Instant.now()));
                            return runId;
                        } catch (LockedException e) {
                            return null;
                        }
                    }));
                }
                ready.await();
                go.countDown();
                var winners = new ArrayList<String>();
                for (var f : futures) if (f.get() != null) winners.add(f.get());
                assertThat(winners).as("winners of trial %d", trial).hasSize(1);
                assertThat(new LocalLockStore(dir).owner(infra).orElseThrow().runId()).isEqualTo(winners.getFirst());
            }
        }
    }

    /** The OS file lock, not only the in-process one: four JVMs race for 200 expired locks, each has one winner. */
    @Test
    void ofFourProcessesTakingOverExpiredLocksExactlyOneWinsEach() throws Exception {
        int count = 200;
        var store = new LocalLockStore(dir.resolve("locks"));
        for (int i = 0; i < count; i++) {
            store.acquire("lock-" + i, new LockOwner("expired", "racer", 0, Instant.now(), Instant.now().minusSeconds(1), null));
        }
        var javaBin = ProcessHandle.current().info().command().orElseThrow();
        var racers = new ArrayList<Process>();
        for (int p = 0; p < 4; p++) {
            racers.add(new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), LockRacer.class.getName(),
                    dir.toString(), "p" + p, String.valueOf(count)).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        for (int p = 0; p < 4; p++) {
            while (Files.notExists(dir.resolve("ready-p" + p))) {
                assertThat(System.nanoTime()).as("racer p%d ready in time", p).isLessThan(deadline);
                Thread.sleep(10);
            }
        }
        Files.createFile(dir.resolve("go"));
        var wins = new ArrayList<String>();
        for (var racer : racers) {
            var output = new String(racer.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(racer.waitFor()).isZero();
            output.lines().forEach(wins::add);
        }
        assertThat(wins).hasSize(count).doesNotHaveDuplicates();
        for (int i = 0; i < count; i++) {
            assertThat(store.owner("lock-" + i).orElseThrow().runId()).isNotEqualTo("expired");
        }
    }

    @Test
    void aLockOfALiveProcessWithoutALeaseIsNotTakenOver() {
        var store = new LocalLockStore(dir);
        var owner = new LockOwner("run-1", LocalLockStore.hostName(), ProcessHandle.current().pid(), Instant.now());
        store.acquire("dev", owner);
        assertThatThrownBy(() -> store.acquire("dev", new LockOwner("run-2", LocalLockStore.hostName(), 1, Instant.now())))
                .isInstanceOfSatisfying(LockedException.class, e -> assertThat(e.owner()).isEqualTo(owner));
    }

    @Test
    void aConcurrentReaderSeesALockOrNoneNeverHalfAFile() throws Exception {
        var store = new LocalLockStore(dir);
        var stop = new AtomicBoolean();
        var reads = new AtomicInteger();
        var problems = new ArrayList<Throwable>();
        var reader = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                try {
                    Json.MAPPER.readValue(Files.readAllBytes(dir.resolve("dev.lock")), LockOwner.class);
                    reads.incrementAndGet();
                } catch (NoSuchFileException released) {
                    // between a release and the next acquire
                } catch (Exception e) {
                    synchronized (problems) {
                        problems.add(e);
                    }
                }
            }
        });
        for (int i = 0; i < 300; i++) {
            store.acquire("dev", new LockOwner("run-" + i, LocalLockStore.hostName(), ProcessHandle.current().pid(), Instant.now(),
                    i % 2 == 0 ? null : Instant.now().plusSeconds(60), i % 2 == 0 ? null : "arn:aws:states:x:execution:" + i));
            store.renew("dev", "run-" + i, Instant.now().plusSeconds(120));
            store.release("dev", "run-" + i);
        }
        stop.set(true);
        reader.join();
        assertThat(problems).isEmpty();
        assertThat(reads.get()).isPositive();
    }

    @Test
    void aLockFileWrittenBeforeLeasesExistedStillReads() throws Exception {
        Files.writeString(dir.resolve("dev.lock"), """
                {"runId":"20261122T000000Z-abcdef","holder":"h","pid":12,"since":"2026-11-22T00:00:00Z"}
                """);
        assertThat(new LocalLockStore(dir).owner("dev"))
                .contains(new LockOwner("20261122T000000Z-abcdef", "h", 12, Instant.parse("2026-11-22T00:00:00Z")));
    }

    @Test
    void anInfrastructureNameCannotLeaveTheLockFolder() {
        assertThatThrownBy(() -> new LocalLockStore(dir).acquire("../x", new LockOwner("r", "h", 1, Instant.now())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("../x");
    }
}
