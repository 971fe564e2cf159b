package dev.cairn.aws.store;

import dev.cairn.reconciler.store.ThreadStore;
import dev.cairn.reconciler.store.contract.ThreadStoreContract;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class DynamoThreadStoreContractIT extends ThreadStoreContract {
    @Override
    protected ThreadStore newStore() {
        try {
            return new DynamoThreadStore(MotoStores.get().dynamo(), MotoStores.get().table());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theItemSitsBesideTheRunWithItsTtl() throws Exception {
        var stores = MotoStores.get();
        var expires = Instant.now().plusSeconds(3600);
        newStore().create(new ThreadStore.RunThread("ttl-infra", "r-ttl", "C0", "1.1", -1, Instant.now(), expires));
        var item = stores.dynamo().getItem(b -> b.tableName(stores.table()).consistentRead(true)
                .key(Attributes.key("INFRA#ttl-infra", "THREAD#r-ttl"))).item();
        assertThat(item.get("kind").s()).isEqualTo("thread");
        assertThat(item.get(TableSchema.EXPIRES_AT).n()).isEqualTo(Long.toString(expires.getEpochSecond()));
    }
}
