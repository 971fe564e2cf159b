package dev.cairn.reconciler.store.local;

import dev.cairn.reconciler.store.RevisionStore;
import dev.cairn.reconciler.store.contract.RevisionStoreContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class LocalRevisionStoreContractTest extends RevisionStoreContract {
    @TempDir
    Path dir;

    @Override
    protected RevisionStore newStore() {
        return new LocalRevisionStore(dir);
    }
}
