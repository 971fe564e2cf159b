package dev.cairn.reconciler.store.contract;

import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.store.LockStore.LockOwner;
import dev.cairn.reconciler.store.LockStore.LockedException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link LockStore} guarantees: one owner at a time, the second acquire refused with
 * the owner, release only by the owner, takeover once the lease ran out and never before, renew
 * by the owner only, force-release, and exactly one winner among concurrent acquirers.
 */
public abstract class LockStoreContract {

    /** A store on the same backing state as every other store made during one test. */
    protected abstract LockStore newStore();

    /** How many rounds of the concurrent takeover race to run. */
    protected int contentionTrials() {
        return 20;
    }

    private LockStore store;
    private String infra;

    @BeforeEach
    void setUpStore() {
        store = newStore();
        infra = Contracts.unique("infra");
    }

    /** An owner with a lease, as the serverless flow takes it (millisecond precision, like the stores). */
    static LockOwner leased(String runId, Instant leaseUntil) {
        return new LockOwner(runId, "cairn-prepare", 0, Instant.now().truncatedTo(ChronoUnit.MILLIS),
                leaseUntil.truncatedTo(ChronoUnit.MILLIS), "arn:aws:states:us-east-1:123456789012:execution:cairn:" + runId);
    }

    static Instant in(Duration d) {
        return Instant.now().plus(d);
    }

    @Test
    void theOwnerIsStoredWithItsLeaseAndExecution() {
        assertThat(store.owner(infra)).isEmpty();
        var owner = leased("run-1", in(Duration.ofHours(1)));
        store.acquire(infra, owner);
        assertThat(store.owner(infra)).contains(owner);
    }

    @Test
    void anOwnerWithoutALeaseRoundTrips() {
        var owner = new LockOwner("run-1", "some-host", 4242, Instant.parse("2026-12-01T10:00:00.123456789Z"));
        store.acquire(infra, owner);
        assertThat(store.owner(infra)).contains(owner);
        assertThat(store.owner(infra).orElseThrow().leaseUntil()).isNull();
        assertThat(store.owner(infra).orElseThrow().executionArn()).isNull();
    }

    @Test
    void aSecondAcquireIsRefusedWithTheOwner() {
        var first = leased("run-1", in(Duration.ofHours(1)));
        store.acquire(infra, first);
        assertThatThrownBy(() -> store.acquire(infra, leased("run-2", in(Duration.ofHours(1)))))
                .isInstanceOfSatisfying(LockedException.class, e -> assertThat(e.owner()).isEqualTo(first))
                .hasMessageContaining("is locked by run run-1");
        assertThat(store.owner(infra)).contains(first);
    }

    @Test
    void locksOfDifferentInfrastructuresAreIndependent() {
        var other = Contracts.unique("other");
        store.acquire(infra, leased("run-1", in(Duration.ofHours(1))));
        store.acquire(other, leased("run-2", in(Duration.ofHours(1))));
        assertThat(store.owner(other).orElseThrow().runId()).isEqualTo("run-2");
        assertThat(store.owner(infra).orElseThrow().runId()).isEqualTo("run-1");
    }

    @Test
    void onlyTheOwnerReleases() {
        store.acquire(infra, leased("run-1", in(Duration.ofHours(1))));
        store.release(infra, "run-2");
        assertThat(store.owner(infra).orElseThrow().runId()).isEqualTo("run-1");
        store.release(infra, "run-1");
        assertThat(store.owner(infra)).isEmpty();
        store.release(infra, "run-1");
        store.acquire(infra, leased("run-3", in(Duration.ofHours(1))));
        assertThat(store.owner(infra).orElseThrow().runId()).isEqualTo("run-3");
    }

    @Test
    void aLockIsTakenOverOnceItsLeaseRanOutAndNeverBefore() throws Exception {
        var first = leased("run-1", in(Duration.ofMillis(700)));
        store.acquire(infra, first);
        assertThatThrownBy(() -> store.acquire(infra, leased("run-2", in(Duration.ofHours(1)))))
                .isInstanceOf(LockedException.class);
        long wait = Duration.between(Instant.now(), first.leaseUntil()).toMillis() + 50;
        if (wait > 0) Thread.sleep(wait);

        var second = leased("run-2", in(Duration.ofHours(1)));
        store.acquire(infra, second);
        assertThat(store.owner(infra)).contains(second);
        // the first run lost the lock: it can neither renew nor release it
        assertThat(store.renew(infra, "run-1", in(Duration.ofHours(2)))).isFalse();
        store.release(infra, "run-1");
        assertThat(store.owner(infra)).contains(second);
    }

    @Test
    void aLockWithoutALeaseIsNotTakenOverByALeasedAcquire() {
        var owner = new LockOwner("run-1", "cairn-prepare", 0, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        store.acquire(infra, owner);
        assertThatThrownBy(() -> store.acquire(infra, leased("run-2", in(Duration.ofHours(1)))))
                .isInstanceOfSatisfying(LockedException.class, e -> assertThat(e.owner()).isEqualTo(owner));
    }

    @Test
    void theOwnerRenewsItsLeaseAndNobodyElseCan() {
        store.acquire(infra, leased("run-1", in(Duration.ofSeconds(-5))));
        assertThat(store.renew(infra, "run-2", in(Duration.ofHours(1)))).isFalse();
        var until = in(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
        assertThat(store.renew(infra, "run-1", until)).isTrue();
        assertThat(store.owner(infra).orElseThrow().leaseUntil()).isEqualTo(until);
        assertThat(store.owner(infra).orElseThrow().executionArn()).endsWith(":run-1");
        // renewed before anyone took it over: the lease holds again
        assertThatThrownBy(() -> store.acquire(infra, leased("run-2", in(Duration.ofHours(1)))))
                .isInstanceOfSatisfying(LockedException.class, e -> assertThat(e.owner().runId()).isEqualTo("run-1"));
        assertThat(store.renew(Contracts.unique("unlocked"), "run-1", until)).isFalse();
    }

    @Test
    void forceReleaseRemovesTheLockWhoeverHoldsIt() {
        store.acquire(infra, leased("run-1", in(Duration.ofHours(1))));
        store.forceRelease(infra);
        assertThat(store.owner(infra)).isEmpty();
        store.forceRelease(infra);
        var next = leased("run-2", in(Duration.ofHours(1)));
        store.acquire(infra, next);
        assertThat(store.owner(infra)).contains(next);
    }

    @Test
    void ofConcurrentAcquirersOfAFreeOrExpiredLockExactlyOneWins() throws Exception {
        int threads = 8;
        try (var pool = Executors.newFixedThreadPool(threads)) {
            for (int trial = 0; trial < contentionTrials(); trial++) {
                var name = infra + "-" + trial;
                // odd trials race for an expired lease, even ones for a lock nobody holds
                if (trial % 2 == 1) store.acquire(name, leased("expired", in(Duration.ofSeconds(-1))));
                var tasks = new ArrayList<Callable<String>>();
                for (int t = 0; t < threads; t++) {
                    var runId = "run-" + trial + "-" + t;
                    var mine = newStore();
                    tasks.add(() -> {
                        mine.acquire(name, leased(runId, in(Duration.ofHours(1))));
                        return runId;
                    });
                }
                var outcomes = Contracts.race(pool, tasks);
                var winners = outcomes.stream().filter(o -> o.error() == null).map(Contracts.Outcome::value).toList();
                assertThat(winners).as("winners of trial %d", trial).hasSize(1);
                assertThat(outcomes.stream().filter(o -> o.error() != null)).allSatisfy(o -> assertThat(o.error())
                        .isInstanceOfSatisfying(LockedException.class, e -> assertThat(e.owner().runId()).isEqualTo(winners.getFirst())));
                assertThat(store.owner(name).orElseThrow().runId()).isEqualTo(winners.getFirst());
            }
        }
    }
}
