package dev.cairn.functions.reconcile;

import dev.cairn.aws.store.AwsStores;
import dev.cairn.aws.store.Tables;
import dev.cairn.aws.testing.MotoServer;
import dev.cairn.reconciler.notify.RunNotifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The task steps on the DynamoDB/S3 stores ({@link AwsStores} on moto, the table made with
 * {@link Tables#create}): the leased lock with the execution ARN, the run record, the stored stage
 * plan, and Finish releasing the lock — the same scenario as the local-store test.
 */
class ReconcileTaskAwsIT {
    @TempDir
    static Path tmp;
    static MotoServer moto;
    static AwsStores stores;

    @BeforeAll
    static void start() throws Exception {
        moto = MotoServer.startSerialized(tmp.resolve("moto.log"));
        var env = Map.of("AWS_ENDPOINT_URL", moto.endpoint(), "AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "test",
                "AWS_SECRET_ACCESS_KEY", "test", AwsStores.TABLE, "cairn-reconcile", AwsStores.BUCKET, "cairn-reconcile-blobs");
        stores = AwsStores.fromEnv(env);
        Tables.create(stores.dynamo(), "cairn-reconcile");
        stores.s3().createBucket(b -> b.bucket("cairn-reconcile-blobs"));
    }

    @AfterAll
    static void stop() {
        if (stores != null) stores.close();
        if (moto != null) moto.close();
    }

    @Test
    void aFailedMiddleStageOnTheDeployedStoresSkipsItsDependentsAndReleasesTheLock() {
        var function = new ReconcileTaskFunction(new ReconcileTasks(stores.runs(), stores.locks(), stores.blobs(),
                request -> ReconcileTaskScenarios.diamond(false), null, RunNotifier.NONE, Duration.ofHours(24),
                Clock.systemUTC()));
        ReconcileTaskScenarios.failedMiddleStage(function, stores.runs(), stores.locks());
        assertThat(stores.s3().listObjectsV2(b -> b.bucket("cairn-reconcile-blobs")).contents())
                .anyMatch(o -> o.key().startsWith("runs/dev/") && o.key().endsWith("/plan.json"));
    }
}
