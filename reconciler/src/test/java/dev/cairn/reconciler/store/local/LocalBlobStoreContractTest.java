package dev.cairn.reconciler.store.local;

import dev.cairn.reconciler.store.BlobStore;
import dev.cairn.reconciler.store.contract.BlobStoreContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class LocalBlobStoreContractTest extends BlobStoreContract {
    @TempDir
    Path dir;

    @Override
    protected BlobStore newStore() {
        return new LocalBlobStore(dir);
    }
}
