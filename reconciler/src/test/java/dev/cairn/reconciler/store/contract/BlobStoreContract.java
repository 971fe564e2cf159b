package dev.cairn.reconciler.store.contract;

import dev.cairn.reconciler.store.BlobStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** What every {@link BlobStore} guarantees: bytes round-trip exactly, overwrite, delete, absent keys are empty. */
public abstract class BlobStoreContract {

    /** A store on the same backing state as every other store made during one test. */
    protected abstract BlobStore newStore();

    private BlobStore store;
    private String prefix;

    @BeforeEach
    void setUpStore() {
        store = newStore();
        prefix = Contracts.unique("blobs");
    }

    @Test
    void bytesRoundTripExactly() {
        var bytes = new byte[300_000];
        new Random(7).nextBytes(bytes);
        var key = prefix + "/plans/dev/20261201T100000Z-aaaaaa/network.tfplan";
        store.put(key, bytes);
        assertThat(store.get(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes));
        assertThat(newStore().get(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes));
        var empty = prefix + "/empty.log";
        store.put(empty, new byte[0]);
        assertThat(store.get(empty)).hasValueSatisfying(b -> assertThat(b).isEmpty());
    }

    @Test
    void aPutReplacesAndADeleteRemoves() {
        var key = prefix + "/logs/dev/run/network.log";
        store.put(key, "first".getBytes(StandardCharsets.UTF_8));
        store.put(key, "second".getBytes(StandardCharsets.UTF_8));
        assertThat(store.get(key)).hasValueSatisfying(b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("second"));
        store.delete(key);
        assertThat(store.get(key)).isEmpty();
        store.delete(key);
    }

    @Test
    void anAbsentKeyIsEmpty() {
        assertThat(store.get(prefix + "/never/written")).isEmpty();
    }
}
