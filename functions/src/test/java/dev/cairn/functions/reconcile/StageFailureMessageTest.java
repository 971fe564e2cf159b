package dev.cairn.functions.reconcile;

import dev.cairn.reconciler.bundle.BundleKeys;
import dev.cairn.reconciler.bundle.StageReport;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.Workspace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import static dev.cairn.functions.reconcile.ReconcileTaskScenarios.EXECUTION;
import static dev.cairn.functions.reconcile.ReconcileTaskScenarios.call;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What RecordFailure records for a failed stage: the error its build's report holds (Terraform's
 * {@code Error:} line first), else a readable line from the Step Functions error, never its JSON.
 */
class StageFailureMessageTest {
    @TempDir
    Path tmp;
    Workspace workspace;
    ReconcileTaskFunction function;
    String runId;

    @BeforeEach
    void run() {
        workspace = new Workspace(tmp.resolve(".cairn"));
        function = new ReconcileTaskFunction(new ReconcileTasks(workspace.runs(), workspace.outputs(), workspace.locks(), workspace.blobs(),
                request -> ReconcileTaskScenarios.diamond(false), null, RunNotifier.NONE, Duration.ofHours(24), Clock.systemUTC()));
        runId = (String) call(function, "prepare", "action", "APPLY", "commit", "c1", "executionArn", EXECUTION).get("runId");
        call(function, "next", "runId", runId);
    }

    private String recorded(String error, String cause) {
        call(function, "recordFailure", "runId", runId, "stage", "backend", "error", Map.of("Error", error, "Cause", cause));
        var stage = workspace.runs().get("dev", runId).orElseThrow().stage("backend");
        assertThat(stage.status()).isEqualTo(StageStatus.FAILED);
        return stage.error();
    }

    @Test
    void theBuildsReportGivesTerraformsErrorFirst() throws Exception {
        var terraform = "terraform plan failed (exit 1): Error: Reference to undeclared input variable\n"
                + "on main.tf line 24, in resource \"terraform_data\" \"this\":\n24:     bucket = var.bucket_nmae";
        var report = new StageReport("dev", runId, "backend", "plan", StageStatus.FAILED, null, null, null, Map.of(), "logs/backend", terraform);
        workspace.blobs().put(BundleKeys.result("dev", runId, "backend"), Json.MAPPER.writeValueAsBytes(report));

        var error = recorded("States.TaskFailed", "{\"Build\":{\"Id\":\"cairn-stage:1\",\"BuildStatus\":\"FAILED\"},\"message\":\"cairn stage plan exited 3\"}");
        assertThat(error).startsWith("Error: Reference to undeclared input variable\n")
                .contains("bucket = var.bucket_nmae").endsWith("(terraform plan failed (exit 1))").doesNotContain("{", "States.");
    }

    @Test
    void withoutAReportTheBuildsFailedPhaseIsShownNotTheEnvelope() {
        var cause = "{\"Build\":{\"Arn\":\"arn:aws:codebuild:eu-west-1:1:build/cairn-stage:1\",\"BuildStatus\":\"FAILED\",\"Phases\":["
                + "{\"PhaseType\":\"INSTALL\",\"PhaseStatus\":\"SUCCEEDED\"},"
                + "{\"PhaseType\":\"BUILD\",\"PhaseStatus\":\"FAILED\",\"Contexts\":[{\"StatusCode\":\"COMMAND_EXECUTION_ERROR\","
                + "\"Message\":\"Error while executing command: cairn stage plan. Reason: exit status 3\"}]}]}}";
        assertThat(recorded("States.TaskFailed", cause))
                .isEqualTo("the stage's build failed in its BUILD phase: Error while executing command: cairn stage plan. Reason: exit status 3"
                        + " (see the stage's log)");
    }

    @Test
    void aLambdasErrorGivesItsMessage() {
        var cause = "{\"errorMessage\":\"stage `backend` has an input known only after an upstream apply\",\"errorType\":\"java.lang.IllegalStateException\","
                + "\"stackTrace\":[\"dev.cairn.functions.reconcile.ReconcileTasks.render(ReconcileTasks.java:1)\"]}";
        assertThat(recorded("java.lang.IllegalStateException", cause))
                .isEqualTo("java.lang.IllegalStateException: stage `backend` has an input known only after an upstream apply");
    }

    @Test
    void aPlainCauseKeepsItsFirstLine() {
        assertThat(recorded("States.Timeout", "the build timed out\nafter 60 minutes")).isEqualTo("States.Timeout: the build timed out");
    }
}
