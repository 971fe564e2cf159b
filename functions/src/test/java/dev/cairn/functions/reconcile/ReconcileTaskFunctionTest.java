package dev.cairn.functions.reconcile;

import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.cairn.functions.reconcile.ReconcileTaskScenarios.EXECUTION;
import static dev.cairn.functions.reconcile.ReconcileTaskScenarios.call;
import static dev.cairn.functions.reconcile.ReconcileTaskScenarios.started;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The task steps on the local stores: what the state machine's Lambda tasks do to runs and locks. */
class ReconcileTaskFunctionTest {
    @TempDir
    Path tmp;
    Workspace workspace;

    @BeforeEach
    void stores() {
        workspace = new Workspace(tmp.resolve(".cairn"));
    }

    private ReconcileTaskFunction function(StagePlanner.Planned planned) {
        return new ReconcileTaskFunction(new ReconcileTasks(workspace.runs(), workspace.outputs(), workspace.locks(), workspace.blobs(),
                request -> planned, null, RunNotifier.NONE, Duration.ofHours(24), Clock.systemUTC()));
    }

    @Test
    void aFailedMiddleStageSkipsOnlyItsDependentsAndFinishRecordsTheRunAndReleasesTheLock() {
        ReconcileTaskScenarios.failedMiddleStage(function(ReconcileTaskScenarios.diamond(false)), workspace.runs(), workspace.locks());
    }

    @Test
    void stagesWithoutApprovalPlanAndApplyInOneBuildOnLambdaComputeAndEksRunsOnEc2() {
        var graph = new dev.cairn.reconciler.graph.StageGraph();
        graph.addStage("kubernetes");
        graph.addStage("network");
        var fn = function(new StagePlanner.Planned(graph, 4, Map.of()));
        var runId = (String) call(fn, "prepare", "action", "APPLY", "commit", "c1", "executionArn", EXECUTION).get("runId");
        @SuppressWarnings("unchecked")
        var start = (List<Map<String, Object>>) call(fn, "next", "runId", runId).get("start");
        assertThat(start).extracting(s -> s.get("name") + " " + s.get("planApply") + " " + s.get("computeType") + " " + s.get("environmentType"))
                .containsExactly("kubernetes true BUILD_GENERAL1_MEDIUM LINUX_CONTAINER", "network true BUILD_LAMBDA_2GB LINUX_LAMBDA_CONTAINER");
        assertThat(start.getFirst()).containsEntry("roleArn", "").containsEntry("approvalTimeoutSeconds", 86400L);
    }

    @Test
    void afterAPlanTheStepIsApproveApplyOrRecordFromThePlanAndThePolicy() {
        var fn = function(ReconcileTaskScenarios.diamond(true));
        var runId = (String) call(fn, "prepare", "action", "APPLY", "commit", "c1", "executionArn", EXECUTION).get("runId");
        @SuppressWarnings("unchecked")
        var start = (List<Map<String, Object>>) call(fn, "next", "runId", runId).get("start");
        assertThat(start.getFirst()).containsEntry("planApply", false); // it may wait for a person: plan first
        assertThat(call(fn, "planned", "runId", runId, "stage", "backend")).containsEntry("then", "record"); // no plan stored: nothing to apply
        var run = workspace.runs().get("dev", runId).orElseThrow();
        workspace.runs().put(run.withStage(run.stage("backend").withPlan(PlanSummary.EMPTY)));
        assertThat(call(fn, "planned", "runId", runId, "stage", "backend")).containsEntry("then", "record");
        run = workspace.runs().get("dev", runId).orElseThrow();
        workspace.runs().put(run.withStage(run.stage("backend").withPlan(new PlanSummary(2, 1, 0, List.of(), List.of()))));
        assertThat(call(fn, "planned", "runId", runId, "stage", "backend")).containsEntry("then", "approve");
        assertThatThrownBy(() -> call(fn, "approve", "runId", runId, "stage", "backend", "taskToken", "secret-token"))
                .hasMessageContaining("no approval store").hasMessageNotContaining("secret-token");
        call(fn, "recordFailure", "runId", runId, "stage", "backend", "error", "States.Timeout", "notApproved", true);
        assertThat(workspace.runs().get("dev", runId).orElseThrow().stage("backend").error()).isEqualTo("not approved: no decision within 86400 s");
    }

    @Test
    void aPlanOnlyRunNeverApplies() {
        var fn = function(ReconcileTaskScenarios.diamond(false));
        var runId = (String) call(fn, "prepare", "action", "PLAN", "commit", "c1", "executionArn", EXECUTION).get("runId");
        @SuppressWarnings("unchecked")
        var start = (List<Map<String, Object>>) call(fn, "next", "runId", runId).get("start");
        assertThat(start.getFirst()).containsEntry("planApply", false);
        var run = workspace.runs().get("dev", runId).orElseThrow();
        workspace.runs().put(run.withStage(run.stage("backend").withPlan(new PlanSummary(1, 0, 0, List.of(), List.of()))));
        assertThat(call(fn, "planned", "runId", runId, "stage", "backend")).containsEntry("then", "record");
        call(fn, "record", "runId", runId, "stage", "backend");
        assertThat(workspace.runs().get("dev", runId).orElseThrow().stage("backend").status()).isEqualTo(StageStatus.PLANNED);
    }

    @Test
    void aRetriedPrepareIsIdempotentAndAnotherExecutionIsRefusedWithoutTouchingTheLock() {
        var fn = function(ReconcileTaskScenarios.diamond(false));
        var first = call(fn, "prepare", "action", "APPLY", "commit", "c1", "executionArn", EXECUTION);
        assertThat(call(fn, "prepare", "action", "APPLY", "commit", "c1", "executionArn", EXECUTION)).isEqualTo(first);
        var other = EXECUTION + "-other";
        assertThatThrownBy(() -> call(fn, "prepare", "action", "APPLY", "commit", "c2", "executionArn", other))
                .isInstanceOf(LockStore.LockedException.class).hasMessageContaining((String) first.get("runId"));
        // the refused execution reaches Finish too: it must not release the lock it never held
        assertThat(call(fn, "finish", "executionArn", other)).containsEntry("status", "FAILED");
        assertThat(workspace.locks().owner("dev")).hasValueSatisfying(o -> assertThat(o.executionArn()).isEqualTo(EXECUTION));
        assertThat(workspace.runs().get("dev", (String) first.get("runId")).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
    }

    @Test
    void anAbortedExecutionReportedByEventBridgeEndsTheRunAndReleasesTheLock() {
        var fn = function(ReconcileTaskScenarios.diamond(false));
        var runId = (String) call(fn, "prepare", "action", "APPLY", "commit", "c1", "executionArn", EXECUTION).get("runId");
        call(fn, "next", "runId", runId);
        var event = Map.<String, Object>of("detail-type", ReconcileTaskFunction.EXECUTION_STATUS_CHANGE, "source", "aws.states",
                "detail", Map.of("executionArn", EXECUTION, "status", "ABORTED",
                        "input", "{\"infrastructure\":\"dev\",\"action\":\"APPLY\",\"commit\":\"c1\"}"));
        assertThat(fn.handle(event)).containsEntry("status", "FAILED");
        var run = workspace.runs().get("dev", runId).orElseThrow();
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).isEqualTo("the execution was aborted");
        assertThat(run.stage("backend").status()).isEqualTo(StageStatus.SKIPPED);
        assertThat(run.stage("backend").error()).isEqualTo("not run: the execution was aborted");
        assertThat(workspace.locks().owner("dev")).isEmpty();
        assertThat(fn.handle(event)).containsEntry("status", "FAILED"); // again: nothing left to do
    }

    @Test
    void aBadPayloadSaysWhatIsMissingOrWhichTasksExist() {
        var fn = function(ReconcileTaskScenarios.diamond(false));
        assertThatThrownBy(() -> fn.handle(Map.of("task", "next"))).hasMessageContaining("`infrastructure`");
        assertThatThrownBy(() -> call(fn, "deploy")).hasMessageContaining("unknown task `deploy`").hasMessageContaining("recordFailure");
        assertThatThrownBy(() -> call(fn, "next", "runId", "nope")).hasMessageContaining("nope");
    }
}
