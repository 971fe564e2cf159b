package dev.cairn.functions.reconcile;

import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.cairn.functions.reconcile.ReconcileTaskScenarios.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A preview run through the task steps on the local stores: it runs while an apply holds the
 * infrastructure's lock, on a lease of its own that Finish releases; its builds run the
 * {@code preview} step; a plan with changes is recorded, never applied.
 */
class PreviewTaskTest {
    static final String PREVIEW = "arn:aws:states:us-east-1:123456789012:execution:cairn-reconcile:dev-plan-0d1a26e67d8f-abc";
    static final String TRIGGER = Previews.trigger("github", "acme/infra#7", "6113728f27ae82c7b1a177c8d03f9e96e0adf246");

    @TempDir
    Path tmp;
    Workspace workspace;
    ReconcileTaskFunction function;

    @BeforeEach
    void setUp() {
        workspace = new Workspace(tmp.resolve(".cairn"));
        function = new ReconcileTaskFunction(new ReconcileTasks(workspace.runs(), workspace.outputs(), workspace.locks(), workspace.blobs(),
                request -> ReconcileTaskScenarios.diamond(false), null, RunNotifier.NONE, Duration.ofHours(24), Clock.systemUTC()));
    }

    @Test
    void aPreviewRunsBesideAnApplyOnItsOwnLeaseAndIsNeverApplied() {
        var apply = new LockStore.LockOwner("20261202T000000Z-aaaaaa", "step-functions", 0, Instant.now(), Instant.now().plusSeconds(3600),
                "arn:aws:states:us-east-1:123456789012:execution:cairn-reconcile:dev-apply");
        workspace.locks().acquire("dev", apply);

        var prepared = call(function, "prepare", "action", "PLAN", "commit", "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", "ref", "refs/pull/7/head",
                "trigger", TRIGGER, "executionArn", PREVIEW);
        var runId = (String) prepared.get("runId");
        assertThat(runId).endsWith("-p" + Previews.executionKey(PREVIEW));
        assertThat(workspace.locks().owner("dev")).contains(apply);
        var lease = Previews.lease("dev", Previews.executionKey(PREVIEW));
        assertThat(workspace.locks().owner(lease)).hasValueSatisfying(o -> assertThat(o.executionArn()).isEqualTo(PREVIEW));
        // a retried Prepare finds its own run
        assertThat(call(function, "prepare", "action", "PLAN", "commit", "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", "ref", "refs/pull/7/head",
                "trigger", TRIGGER, "executionArn", PREVIEW).get("runId")).isEqualTo(runId);

        @SuppressWarnings("unchecked")
        var start = (List<Map<String, Object>>) call(function, "next", "runId", runId).get("start");
        assertThat(start).singleElement().satisfies(s -> assertThat(s).containsEntry("name", "backend").containsEntry("planStep", "preview")
                .containsEntry("planApply", false));
        var run = workspace.runs().get("dev", runId).orElseThrow();
        workspace.runs().put(run.withStage(run.stage("backend").withPlan(new PlanSummary(2, 0, 0, List.of(), List.of()))));
        assertThat(call(function, "planned", "runId", runId, "stage", "backend")).containsEntry("then", "record");

        assertThat(call(function, "finish", "executionArn", PREVIEW)).containsEntry("status", "FAILED"); // the other stages never ran
        assertThat(workspace.runs().get("dev", runId).orElseThrow().status()).isEqualTo(RunStatus.FAILED);
        assertThat(workspace.locks().owner(lease)).as("Finish released the preview's lease").isEmpty();
        assertThat(workspace.locks().owner("dev")).as("and left the apply's lock alone").contains(apply);
        // a lost lease stops the preview, as a lost lock stops any run
        assertThatThrownBy(() -> call(function, "next", "runId", runId)).hasMessageContaining("preview lease");
    }
}
