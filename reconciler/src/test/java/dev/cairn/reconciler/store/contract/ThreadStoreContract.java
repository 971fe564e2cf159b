package dev.cairn.reconciler.store.contract;

import dev.cairn.reconciler.store.ThreadStore;
import dev.cairn.reconciler.store.ThreadStore.RunThread;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link ThreadStore} guarantees: a run has at most one thread (the first recorded
 * wins, also among concurrent creators); a claim to edit the head message wins only for a newer
 * version of the run and only once per interval, and of concurrent claims at most one wins.
 */
public abstract class ThreadStoreContract {
    static final Duration SECOND = Duration.ofSeconds(1);

    /** A store on the same backing state as every other store made during one test. */
    protected abstract ThreadStore newStore();

    private ThreadStore store;
    private String infra;
    private Instant t0;

    @BeforeEach
    void setUpStore() {
        store = newStore();
        infra = Contracts.unique("prod");
        t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private RunThread thread(String runId, String ts) {
        return new RunThread(infra, runId, "C0INFRA", ts, -1, t0, t0.plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS));
    }

    @Test
    void aRunHasOneThreadAndTheFirstRecordedWins() {
        assertThat(store.get(infra, "r1")).isEmpty();
        assertThat(store.create(thread("r1", "1733000000.000100"))).isTrue();
        assertThat(newStore().create(thread("r1", "1733000000.000999"))).isFalse();
        assertThat(newStore().get(infra, "r1")).contains(thread("r1", "1733000000.000100"));
        assertThat(store.create(thread("r2", "1733000000.000200"))).as("another run").isTrue();
        assertThat(store.get(infra, "r2").map(RunThread::ts)).contains("1733000000.000200");
    }

    @Test
    void aClaimWinsForANewerVersionOncePerInterval() {
        store.create(thread("r1", "1.1"));
        assertThat(store.claimUpdate(infra, "r1", 3, t0.plus(SECOND), SECOND)).isTrue();
        assertThat(store.get(infra, "r1").orElseThrow()).satisfies(t -> {
            assertThat(t.version()).isEqualTo(3);
            assertThat(t.updatedAt()).isEqualTo(t0.plus(SECOND));
            assertThat(t.ts()).isEqualTo("1.1");
        });
        assertThat(store.claimUpdate(infra, "r1", 4, t0.plus(SECOND).plusMillis(500), SECOND)).as("within the interval").isFalse();
        assertThat(store.claimUpdate(infra, "r1", 3, t0.plus(SECOND.multipliedBy(5)), SECOND)).as("the version shown").isFalse();
        assertThat(store.claimUpdate(infra, "r1", 2, t0.plus(SECOND.multipliedBy(5)), SECOND)).as("an older version").isFalse();
        assertThat(store.get(infra, "r1").orElseThrow().version()).isEqualTo(3);
        assertThat(newStore().claimUpdate(infra, "r1", 4, t0.plus(SECOND.multipliedBy(2)), SECOND)).isTrue();
        assertThat(store.claimUpdate(infra, "r1", 9, t0.plus(SECOND.multipliedBy(2)), Duration.ZERO)).as("no interval").isTrue();
        assertThat(store.claimUpdate(infra, "nothing", 1, t0.plus(SECOND.multipliedBy(9)), SECOND)).as("a run without a thread").isFalse();
    }

    @Test
    void ofConcurrentCreatorsAndClaimersExactlyOneWins() throws Exception {
        int threads = 8;
        try (var pool = Executors.newFixedThreadPool(threads)) {
            for (int trial = 0; trial < 5; trial++) {
                var runId = "race-" + trial;
                var creators = new ArrayList<Callable<Boolean>>();
                for (int t = 0; t < threads; t++) {
                    var mine = newStore();
                    var ts = "1733000000.00010" + t;
                    creators.add(() -> mine.create(thread(runId, ts)));
                }
                var created = Contracts.race(pool, creators);
                assertThat(created).allSatisfy(o -> assertThat(o.error()).isNull());
                assertThat(created.stream().filter(o -> o.value())).as("created in trial %d", trial).hasSize(1);

                var claims = new ArrayList<Callable<Boolean>>();
                for (int t = 0; t < threads; t++) {
                    var mine = newStore();
                    long version = 10 + t;
                    claims.add(() -> mine.claimUpdate(infra, runId, version, t0.plus(SECOND.multipliedBy(10)), SECOND));
                }
                var claimed = Contracts.race(pool, claims);
                assertThat(claimed).allSatisfy(o -> assertThat(o.error()).isNull());
                assertThat(claimed.stream().filter(o -> o.value())).as("claimed in trial %d", trial).hasSize(1);
            }
        }
    }
}
