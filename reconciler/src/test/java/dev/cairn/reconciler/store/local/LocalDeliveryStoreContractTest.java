package dev.cairn.reconciler.store.local;

import dev.cairn.reconciler.store.DeliveryStore;
import dev.cairn.reconciler.store.contract.DeliveryStoreContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class LocalDeliveryStoreContractTest extends DeliveryStoreContract {
    @TempDir
    Path dir;

    @Override
    protected DeliveryStore newStore() {
        return new LocalDeliveryStore(dir);
    }

    @Override
    protected Optional<Instant> storedExpiry(String source, String deliveryId) {
        return new LocalDeliveryStore(dir).stored(source, deliveryId).map(LocalDeliveryStore.Seen::expiresAt);
    }

    @Test
    void aDeliveryIdNeverBecomesAPath() throws Exception {
        var store = new LocalDeliveryStore(dir.resolve("deliveries"));
        assertThat(store.firstSeen("github", "../../escape", Instant.now().plusSeconds(60))).isTrue();
        try (var files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .map(p -> dir.relativize(p).toString()))
                    .singleElement().satisfies(p -> assertThat(p).matches("deliveries/github/[0-9a-f]{64}\\.json"));
        }
    }
}
