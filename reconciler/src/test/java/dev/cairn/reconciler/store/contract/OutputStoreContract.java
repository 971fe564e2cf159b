package dev.cairn.reconciler.store.contract;

import dev.cairn.reconciler.store.OutputStore;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.store.StageOutputs.Output;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link OutputStore} guarantees: outputs of any JSON shape round-trip with their
 * sensitive marking, the latest put wins, listing and deletion per stage; and sensitive values
 * are protected at rest the way the implementation promises ({@link #assertProtectedAtRest}).
 */
public abstract class OutputStoreContract {

    /** A store on the same backing state as every other store made during one test. */
    protected abstract OutputStore newStore();

    /**
     * Checks, on the raw stored form (the file, the DynamoDB item), that {@code secret} is
     * protected as the implementation promises, e.g. never in clear in DynamoDB.
     */
    protected abstract void assertProtectedAtRest(String infrastructure, String stage, String secret) throws Exception;

    private OutputStore store;
    private String infra;

    @BeforeEach
    void setUpStore() {
        store = newStore();
        infra = Contracts.unique("infra");
    }

    static StageOutputs outputs(String stage, String runId, String secret) {
        var values = new LinkedHashMap<String, Output>();
        values.put("vpc_id", new Output("vpc-0abc", false));
        values.put("subnet_ids", new Output(List.of("subnet-1", "subnet-2"), false));
        values.put("node_count", new Output(3, false));
        values.put("tags", new Output(Map.of("team", "platform"), false));
        values.put("admin_password", new Output(secret, true));
        values.put("kubeconfig", new Output(Map.of("token", secret + "-token"), true));
        return new StageOutputs(stage, runId, Instant.parse("2026-12-01T10:00:00.123Z"), values);
    }

    @Test
    void outputsRoundTripWithTheirSensitiveMarking() {
        var written = outputs("addons", "20261201T100000Z-aaaaaa", "kc-s3cr3t-value");
        store.put(infra, written);
        var read = store.get(infra, "addons").orElseThrow();
        assertThat(read).isEqualTo(written);
        assertThat(read.values().get("admin_password").sensitive()).isTrue();
        assertThat(read.values().get("vpc_id").sensitive()).isFalse();
        assertThat(newStore().get(infra, "addons")).contains(written);
    }

    @Test
    void sensitiveValuesAreProtectedAtRest() throws Exception {
        var secret = "kc-" + Contracts.unique("secret");
        store.put(infra, outputs("addons", "20261201T100000Z-aaaaaa", secret));
        assertProtectedAtRest(infra, "addons", secret);
    }

    @Test
    void theLatestPutWinsAndStagesAreListedAndDeleted() {
        store.put(infra, outputs("network", "20261201T100000Z-aaaaaa", "one"));
        var latest = outputs("network", "20261201T110000Z-bbbbbb", "two");
        store.put(infra, latest);
        var addons = outputs("addons", "20261201T110000Z-bbbbbb", "three");
        store.put(infra, addons);
        var noSecrets = new StageOutputs("domain", "20261201T110000Z-bbbbbb", Instant.parse("2026-12-01T11:00:00Z"),
                Map.of("zone_id", new Output("Z123", false)));
        store.put(infra, noSecrets);
        store.put(Contracts.unique("other"), outputs("network", "x", "four"));

        assertThat(store.get(infra, "network")).contains(latest);
        assertThat(store.all(infra)).containsOnlyKeys("addons", "domain", "network")
                .containsEntry("network", latest).containsEntry("addons", addons).containsEntry("domain", noSecrets);

        store.delete(infra, "network");
        assertThat(store.get(infra, "network")).isEmpty();
        assertThat(store.all(infra)).containsOnlyKeys("addons", "domain");
        store.delete(infra, "network");
        assertThat(store.all(Contracts.unique("nothing"))).isEmpty();
    }
}
