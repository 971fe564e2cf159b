package dev.cairn.functions.reconcile;

import dev.cairn.aws.AwsClients;
import dev.cairn.aws.launch.SfnRunLauncher;
import dev.cairn.aws.store.AwsStores;
import dev.cairn.aws.store.Tables;
import dev.cairn.aws.testing.MotoServer;
import dev.cairn.reconciler.launch.ExecutionNames;
import dev.cairn.reconciler.launch.RunLauncher;
import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /infra cancel} on the AWS side, on moto: the launcher stops a running execution
 * ({@code StopExecution}, error {@code Cancelled}); the status-change event of that execution —
 * built from what Step Functions reports for it, since moto neither emits EventBridge events for
 * executions nor runs Lambda targets — reaches the task function, whose Finish records the run as
 * failed with the canceller's cause and releases the lock.
 */
class ReconcileCancelAwsIT {
    @TempDir
    static Path tmp;
    static MotoServer moto;
    static AwsStores stores;
    static SfnClient sfn;
    static String stateMachineArn;

    @BeforeAll
    static void start() throws Exception {
        moto = MotoServer.startSerialized(tmp.resolve("moto.log"));
        var env = Map.of("AWS_ENDPOINT_URL", moto.endpoint(), "AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "test",
                "AWS_SECRET_ACCESS_KEY", "test", AwsStores.TABLE, "cairn-cancel", AwsStores.BUCKET, "cairn-cancel-blobs");
        stores = AwsStores.fromEnv(env);
        Tables.create(stores.dynamo(), "cairn-cancel");
        stores.s3().createBucket(b -> b.bucket("cairn-cancel-blobs"));
        sfn = new AwsClients(env).build(SfnClient.builder());
        // moto's default Step Functions keeps an execution RUNNING until it is stopped
        stateMachineArn = sfn.createStateMachine(b -> b.name("cairn-reconcile").roleArn("arn:aws:iam::123456789012:role/cairn-test")
                .definition("{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Pass\",\"End\":true}}}")).stateMachineArn();
    }

    @AfterAll
    static void stop() {
        if (sfn != null) sfn.close();
        if (stores != null) stores.close();
        if (moto != null) moto.close();
    }

    @Test
    void aCancelledExecutionEndsItsRunWithTheCauseAndReleasesTheLock() {
        var function = new ReconcileTaskFunction(new ReconcileTasks(stores.runs(), stores.outputs(), stores.locks(), stores.blobs(),
                request -> ReconcileTaskScenarios.diamond(false), null, RunNotifier.NONE, Duration.ofHours(24), Clock.systemUTC()));
        var launcher = new SfnRunLauncher(sfn, stateMachineArn);
        var commit = "0123456789abcdef0123456789abcdef01234567";
        var name = ExecutionNames.of("dev", RunAction.APPLY, commit, "slack:T1");
        var executionArn = launcher.launch(new RunLauncher.RunRequest(name, "dev", RunAction.APPLY, commit, "refs/heads/main", "slack:U1"))
                .executionId();
        // what the execution's Prepare and first NextStages did
        var runId = (String) ReconcileTaskScenarios.call(function, "prepare", "action", "APPLY", "commit", commit, "trigger", "slack:U1",
                "executionArn", executionArn).get("runId");
        assertThat(ReconcileTaskScenarios.started(ReconcileTaskScenarios.call(function, "next", "runId", runId))).containsExactly("backend");
        assertThat(stores.locks().owner("dev")).hasValueSatisfying(o -> assertThat(o.executionArn()).isEqualTo(executionArn));

        assertThat(launcher.cancel(name, "cancelled by slack:U1 (/infra cancel)")).isTrue();
        var stopped = sfn.describeExecution(b -> b.executionArn(executionArn));
        assertThat(stopped.status()).isEqualTo(ExecutionStatus.ABORTED);

        // the "Step Functions Execution Status Change" event the ExecutionEnded rule delivers for it
        var detail = new LinkedHashMap<String, Object>();
        detail.put("executionArn", stopped.executionArn());
        detail.put("stateMachineArn", stopped.stateMachineArn());
        detail.put("name", stopped.name());
        detail.put("status", stopped.statusAsString());
        detail.put("input", stopped.input());
        detail.put("error", "Cancelled");
        detail.put("cause", "cancelled by slack:U1 (/infra cancel)");
        var event = Map.<String, Object>of("detail-type", ReconcileTaskFunction.EXECUTION_STATUS_CHANGE, "source", "aws.states", "detail", detail);
        assertThat(function.handle(event)).containsEntry("status", "FAILED");

        var run = stores.runs().get("dev", runId).orElseThrow();
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).isEqualTo("the execution was aborted: cancelled by slack:U1 (/infra cancel)");
        assertThat(run.stages().values()).allSatisfy(s -> assertThat(s.status()).isEqualTo(StageStatus.SKIPPED));
        assertThat(stores.locks().owner("dev")).isEmpty();
        assertThat(launcher.cancel(name, "again")).as("nothing runs any more").isFalse();
    }
}
