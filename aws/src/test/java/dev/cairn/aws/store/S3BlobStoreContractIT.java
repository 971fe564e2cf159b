package dev.cairn.aws.store;

import dev.cairn.reconciler.store.BlobStore;
import dev.cairn.reconciler.store.contract.BlobStoreContract;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class S3BlobStoreContractIT extends BlobStoreContract {
    @Override
    protected BlobStore newStore() {
        try {
            return MotoStores.get().blobs();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void objectsAreEncryptedWithTheConfiguredKmsKey() throws Exception {
        var stores = MotoStores.get();
        stores.blobs().put("sse/check.log", "x".getBytes(StandardCharsets.UTF_8));
        var head = stores.s3().headObject(b -> b.bucket(stores.bucket()).key("sse/check.log"));
        assertThat(head.serverSideEncryptionAsString()).isEqualTo("aws:kms");
        assertThat(head.ssekmsKeyId()).contains(stores.kmsKeyId());
    }
}
