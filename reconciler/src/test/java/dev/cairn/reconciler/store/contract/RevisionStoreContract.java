package dev.cairn.reconciler.store.contract;

import dev.cairn.reconciler.store.RevisionStore;
import dev.cairn.reconciler.store.RevisionStore.DesiredRevision;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** What every {@link RevisionStore} guarantees: the desired revision round-trips, the latest put wins, per infrastructure. */
public abstract class RevisionStoreContract {

    /** A store on the same backing state as every other store made during one test. */
    protected abstract RevisionStore newStore();

    private RevisionStore store;
    private String infra;

    @BeforeEach
    void setUpStore() {
        store = newStore();
        infra = Contracts.unique("infra");
    }

    @Test
    void theDesiredRevisionRoundTripsAndTheLatestWins() {
        assertThat(store.desired(infra)).isEmpty();
        var first = new DesiredRevision(infra, "a".repeat(40), "refs/heads/main", "github:push d-1", Instant.parse("2026-12-01T10:00:00.123456Z"));
        store.putDesired(first);
        assertThat(store.desired(infra)).contains(first);
        var second = new DesiredRevision(infra, "b".repeat(40), "refs/heads/main", "slack:U123", Instant.parse("2026-12-01T10:05:00Z"));
        store.putDesired(second);
        assertThat(newStore().desired(infra)).contains(second);

        var other = Contracts.unique("other");
        var third = new DesiredRevision(other, "c".repeat(40), "refs/heads/release", "github:push d-2", Instant.parse("2026-12-01T10:06:00Z"));
        store.putDesired(third);
        assertThat(store.desired(other)).contains(third);
        assertThat(store.desired(infra)).contains(second);
    }
}
