package dev.cairn.reconciler.store.contract;

import dev.cairn.reconciler.store.DeliveryStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link DeliveryStore} guarantees: a delivery is first seen exactly once (also among
 * concurrent callers), per source; its expiry is stored (the DynamoDB TTL attribute in AWS); an
 * expired or forgotten delivery is first seen again.
 */
public abstract class DeliveryStoreContract {

    /** A store on the same backing state as every other store made during one test. */
    protected abstract DeliveryStore newStore();

    /** The expiry as stored (the raw TTL attribute in AWS: epoch seconds), if the delivery is stored. */
    protected abstract Optional<Instant> storedExpiry(String source, String deliveryId) throws Exception;

    private DeliveryStore store;
    private String id;

    @BeforeEach
    void setUpStore() {
        store = newStore();
        id = Contracts.unique("72d3162e-cc78-11e3-81ab");
    }

    static Instant inADay() {
        return Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
    }

    @Test
    void aDeliveryIsFirstSeenOnceThenNeverAgain() {
        assertThat(store.firstSeen("github", id, inADay())).isTrue();
        assertThat(store.firstSeen("github", id, inADay())).isFalse();
        assertThat(newStore().firstSeen("github", id, inADay())).isFalse();
        assertThat(store.firstSeen("gitlab", id, inADay())).as("another source").isTrue();
    }

    @Test
    void theExpiryIsStored() throws Exception {
        var expiresAt = inADay();
        store.firstSeen("github", id, expiresAt);
        assertThat(storedExpiry("github", id)).contains(expiresAt);
        assertThat(storedExpiry("github", Contracts.unique("never"))).isEmpty();
    }

    @Test
    void anExpiredDeliveryIsFirstSeenAgain() throws Exception {
        assertThat(store.firstSeen("github", id, Instant.now().minusSeconds(5).truncatedTo(ChronoUnit.SECONDS))).isTrue();
        var expiresAt = inADay();
        assertThat(store.firstSeen("github", id, expiresAt)).isTrue();
        assertThat(storedExpiry("github", id)).contains(expiresAt);
        assertThat(store.firstSeen("github", id, inADay())).isFalse();
    }

    @Test
    void aForgottenDeliveryIsFirstSeenAgain() throws Exception {
        assertThat(store.firstSeen("github", id, inADay())).isTrue();
        store.forget("github", id);
        assertThat(storedExpiry("github", id)).isEmpty();
        assertThat(store.firstSeen("github", id, inADay())).isTrue();
        store.forget("github", Contracts.unique("never"));
    }

    @Test
    void ofConcurrentFirstDeliveriesExactlyOneIsFirst() throws Exception {
        int threads = 8;
        try (var pool = Executors.newFixedThreadPool(threads)) {
            for (int trial = 0; trial < 10; trial++) {
                var delivery = id + "-" + trial;
                var tasks = new ArrayList<Callable<Boolean>>();
                for (int t = 0; t < threads; t++) {
                    var mine = newStore();
                    tasks.add(() -> mine.firstSeen("github", delivery, inADay()));
                }
                var outcomes = Contracts.race(pool, tasks);
                assertThat(outcomes).allSatisfy(o -> assertThat(o.error()).isNull());
                assertThat(outcomes.stream().filter(o -> o.value())).as("first of trial %d", trial).hasSize(1);
            }
        }
    }
}
