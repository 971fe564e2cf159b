package dev.cairn.reconciler.store.local;

import dev.cairn.reconciler.store.ThreadStore;
import dev.cairn.reconciler.store.contract.ThreadStoreContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalThreadStoreContractTest extends ThreadStoreContract {
    @TempDir
    Path dir;

    @Override
    protected ThreadStore newStore() {
        return new LocalThreadStore(dir.resolve("threads"));
    }

    @Test
    void aRunIdNeverLeavesTheStoreFolder() {
        var thread = new ThreadStore.RunThread("prod", "../../escape", "C0", "1.1", -1, Instant.now(), Instant.now());
        assertThatThrownBy(() -> newStore().create(thread)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid store name");
    }
}
