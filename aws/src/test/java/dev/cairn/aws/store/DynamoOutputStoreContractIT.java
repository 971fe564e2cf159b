package dev.cairn.aws.store;

import dev.cairn.reconciler.store.OutputStore;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.store.contract.OutputStoreContract;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DynamoOutputStoreContractIT extends OutputStoreContract {
    @Override
    protected OutputStore newStore() {
        try {
            return MotoStores.get().outputs();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, AttributeValue> rawItem(String infrastructure, String stage) throws Exception {
        var stores = MotoStores.get();
        return stores.dynamo().getItem(b -> b.tableName(stores.table()).consistentRead(true)
                .key(Attributes.key("INFRA#" + infrastructure, "OUTPUT#" + stage))).item();
    }

    /** Every attribute of the raw item, binary ones decoded too: the secret appears in none. */
    @Override
    protected void assertProtectedAtRest(String infrastructure, String stage, String secret) throws Exception {
        var item = rawItem(infrastructure, stage);
        assertThat(item).containsKeys("outputs", "sealed", "dataKey");
        item.forEach((name, value) -> {
            assertThat(value.toString()).as(name).doesNotContain(secret);
            if (value.b() != null) assertThat(value.b().asString(StandardCharsets.ISO_8859_1)).as(name).doesNotContain(secret);
        });
        assertThat(item.get("outputs").s()).contains("\"admin_password\":{\"value\":null,\"sensitive\":true}")
                .contains("vpc-0abc");
    }

    @Test
    void sealedValuesMovedToAnotherStageDoNotDecrypt() throws Exception {
        var stores = MotoStores.get();
        var store = stores.outputs();
        var values = Map.of("password", new StageOutputs.Output("kc-never-shown", true));
        store.put("moved", new StageOutputs("addons", "r", Instant.parse("2026-12-01T10:00:00Z"), values));
        var item = new HashMap<>(rawItem("moved", "addons"));
        item.put("sk", AttributeValue.fromS("OUTPUT#network"));
        item.put("stage", AttributeValue.fromS("network"));
        stores.dynamo().putItem(b -> b.tableName(stores.table()).item(item));
        assertThatThrownBy(() -> store.get("moved", "network")).satisfies(e -> assertThat(e.toString()).doesNotContain("kc-never-shown"));
    }

    @Test
    void withoutAKmsKeySensitiveOutputsAreRefusedAndPlainOnesStored() throws Exception {
        var stores = MotoStores.get();
        var store = new DynamoOutputStore(stores.dynamo(), stores.kms(), stores.table(), null);
        var secret = Map.of("password", new StageOutputs.Output("kc-never-shown", true));
        assertThatThrownBy(() -> store.put("nokey", new StageOutputs("addons", "r", Instant.now(), secret)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("CAIRN_KMS_KEY_ID")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("kc-never-shown"));
        var plain = new StageOutputs("network", "r", Instant.parse("2026-12-01T10:00:00Z"), Map.of("vpc_id", new StageOutputs.Output("vpc-1", false)));
        store.put("nokey", plain);
        assertThat(store.get("nokey", "network")).contains(plain);
        assertThat(rawItem("nokey", "network")).doesNotContainKeys("sealed", "dataKey");
    }

    @Test
    void aLargeSensitiveValueRoundTrips() throws Exception {
        var big = "-----BEGIN CERTIFICATE-----" + "A".repeat(20_000);
        var outputs = new StageOutputs("kubernetes", "r", Instant.parse("2026-12-01T10:00:00Z"),
                Map.of("kubeconfig", new StageOutputs.Output(big, true)));
        newStore().put("large", outputs);
        assertThat(newStore().get("large", "kubernetes")).contains(outputs);
        assertThat(SdkBytes.fromByteArray(rawItem("large", "kubernetes").get("sealed").b().asByteArray()).asByteArray().length)
                .isGreaterThan(20_000);
    }
}
