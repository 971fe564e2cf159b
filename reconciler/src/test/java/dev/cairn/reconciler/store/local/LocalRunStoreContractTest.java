package dev.cairn.reconciler.store.local;

import dev.cairn.reconciler.store.RunStore;
import dev.cairn.reconciler.store.contract.RunStoreContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class LocalRunStoreContractTest extends RunStoreContract {
    @TempDir
    Path dir;

    @Override
    protected RunStore newStore() {
        return new LocalRunStore(dir);
    }
}
