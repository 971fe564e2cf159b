package dev.cairn.aws.store;

import dev.cairn.reconciler.store.DeliveryStore;
import dev.cairn.reconciler.store.contract.DeliveryStoreContract;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DynamoDeliveryStoreContractIT extends DeliveryStoreContract {
    @Override
    protected DeliveryStore newStore() {
        try {
            return new DynamoDeliveryStore(MotoStores.get().dynamo(), MotoStores.get().table());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The raw TTL attribute of the item: a number of epoch seconds. */
    @Override
    protected Optional<Instant> storedExpiry(String source, String deliveryId) throws Exception {
        var stores = MotoStores.get();
        var item = stores.dynamo().getItem(b -> b.tableName(stores.table()).consistentRead(true)
                .key(Attributes.key("DELIVERY#" + source + "#" + deliveryId, "DELIVERY"))).item();
        if (item == null || item.isEmpty()) return Optional.empty();
        assertThat(item.get(TableSchema.EXPIRES_AT).n()).as("expiresAt is a number").matches("\\d+");
        return Optional.of(Instant.ofEpochSecond(Long.parseLong(item.get(TableSchema.EXPIRES_AT).n())));
    }

    @Test
    void theTableHasItsTtlOnExpiresAt() throws Exception {
        var stores = MotoStores.get();
        var ttl = stores.dynamo().describeTimeToLive(b -> b.tableName(stores.table())).timeToLiveDescription();
        assertThat(ttl.attributeName()).isEqualTo("expiresAt");
        assertThat(ttl.timeToLiveStatusAsString()).isEqualTo("ENABLED");
    }

    @Test
    void anOverlongDeliveryIdIsRefusedClearly() {
        assertThatThrownBy(() -> newStore().firstSeen("github", "x".repeat(300), Instant.now().plusSeconds(60)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 256 characters");
    }
}
