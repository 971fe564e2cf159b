package dev.cairn.functions.reconcile;

import dev.cairn.aws.approval.DynamoApprovalStore;
import dev.cairn.aws.store.AwsStores;
import dev.cairn.aws.store.Tables;
import dev.cairn.aws.testing.MotoServer;
import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
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
        var function = new ReconcileTaskFunction(new ReconcileTasks(stores.runs(), stores.outputs(), stores.locks(), stores.blobs(),
                request -> ReconcileTaskScenarios.diamond(false), null, RunNotifier.NONE, Duration.ofHours(24),
                Clock.systemUTC()));
        ReconcileTaskScenarios.failedMiddleStage(function, stores.runs(), stores.locks());
        assertThat(stores.s3().listObjectsV2(b -> b.bucket("cairn-reconcile-blobs")).contents())
                .anyMatch(o -> o.key().startsWith("runs/dev/") && o.key().endsWith("/plan.json"));
    }

    @Test
    void approveStoresAPendingApprovalWithTheTaskTokenForTheSlackApp() {
        var approvals = new DynamoApprovalStore(stores.dynamo(), stores.table());
        var function = new ReconcileTaskFunction(new ReconcileTasks(stores.runs(), stores.outputs(), stores.locks(), stores.blobs(),
                request -> ReconcileTaskScenarios.diamond(true), approvals, RunNotifier.NONE, Duration.ofHours(24), Clock.systemUTC()));
        var execution = ReconcileTaskScenarios.EXECUTION + "-approve";
        var runId = (String) ReconcileTaskScenarios.call(function, "prepare", "infrastructure", "prod", "action", "APPLY",
                "commit", "c1", "trigger", "slack:U1", "executionArn", execution).get("runId");
        ReconcileTaskScenarios.call(function, "next", "infrastructure", "prod", "runId", runId);
        var run = stores.runs().get("prod", runId).orElseThrow();
        stores.runs().put(run.withStage(run.stage("backend").withPlan(new PlanSummary(1, 0, 0, List.of(), List.of()))));
        assertThat(ReconcileTaskScenarios.call(function, "planned", "infrastructure", "prod", "runId", runId, "stage", "backend"))
                .containsEntry("then", "approve");
        ReconcileTaskScenarios.call(function, "approve", "infrastructure", "prod", "runId", runId, "stage", "backend",
                "taskToken", "AAAA-task-token");
        var approval = approvals.get("prod", runId, "backend").orElseThrow();
        assertThat(approval.state()).isEqualTo(ApprovalStore.State.PENDING);
        assertThat(approval.taskToken()).isEqualTo("AAAA-task-token");
        assertThat(approval.requestedBy()).isEqualTo("slack:U1");
        assertThat(approval.plan().add()).isEqualTo(1);
        assertThat(approvals.pending("prod")).extracting(ApprovalStore.Approval::stage).containsExactly("backend");
        // a retried Approve step does not duplicate it
        ReconcileTaskScenarios.call(function, "approve", "infrastructure", "prod", "runId", runId, "stage", "backend",
                "taskToken", "AAAA-task-token");
        assertThat(approvals.pending("prod")).hasSize(1);
        // Finish reached before the stages ran (the Map failed): the run failed, the lock is free
        assertThat(ReconcileTaskScenarios.call(function, "finish", "infrastructure", "prod", "executionArn", execution))
                .containsEntry("status", "FAILED");
        assertThat(stores.runs().get("prod", runId).orElseThrow().error()).isEqualTo("the run ended before every stage ran");
        assertThat(stores.locks().owner("prod")).isEmpty();
    }
}
