package dev.cairn.functions.reconcile;

import dev.cairn.reconciler.graph.StageGraph;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.store.RunStore;
import dev.cairn.reconciler.terraform.PlanSummary;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One run of the task steps, as the state machine calls them, on any stores: backend → (network,
 * domain) → app_db, network fails, app_db is skipped, Finish records the run and releases the lock.
 */
final class ReconcileTaskScenarios {
    static final String EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:cairn-reconcile:dev-apply-0123456";

    static StagePlanner.Planned diamond(boolean approval) {
        var graph = new StageGraph();
        graph.addStage("backend");
        graph.addDependency("network", "backend");
        graph.addDependency("domain", "backend");
        graph.addDependency("app_db", "network");
        graph.addDependency("app_db", "domain");
        var policy = new StagePlanner.StagePolicy(approval, "");
        return new StagePlanner.Planned(graph, 2, Map.of("backend", policy, "network", policy, "domain", policy, "app_db", policy));
    }

    static Map<String, Object> call(ReconcileTaskFunction function, String task, Object... pairs) {
        var input = new java.util.LinkedHashMap<String, Object>();
        input.put("task", task);
        input.put("infrastructure", "dev");
        for (int i = 0; i < pairs.length; i += 2) input.put((String) pairs[i], pairs[i + 1]);
        return function.handle(input);
    }

    @SuppressWarnings("unchecked")
    static List<String> started(Map<String, Object> next) {
        return ((List<Map<String, Object>>) next.get("start")).stream().map(s -> (String) s.get("name")).toList();
    }

    /** The failed-middle-stage run, checked on the stores it ran on. */
    static void failedMiddleStage(ReconcileTaskFunction function, RunStore runs, LockStore locks) {
        var prepared = call(function, "prepare", "action", "APPLY", "commit", "0123456789abcdef", "trigger", "github:push d-1",
                "executionArn", EXECUTION);
        var runId = (String) prepared.get("runId");
        assertThat(prepared.get("parallelism")).isEqualTo(2);
        assertThat(locks.owner("dev")).hasValueSatisfying(o -> {
            assertThat(o.executionArn()).isEqualTo(EXECUTION);
            assertThat(o.runId()).isEqualTo(runId);
            assertThat(o.leaseUntil()).isNotNull();
        });

        var first = call(function, "next", "runId", runId);
        assertThat(started(first)).containsExactly("backend");
        assertThat(first.get("done")).isEqualTo(false);
        // cairn stage stored the plan summary (stage completion); Record closes the stage
        var run = runs.get("dev", runId).orElseThrow();
        runs.put(run.withStage(run.stage("backend").withPlan(new PlanSummary(1, 0, 0, List.of(), List.of()))));
        call(function, "record", "runId", runId, "stage", "backend");
        assertThat(runs.get("dev", runId).orElseThrow().stage("backend").status()).isEqualTo(StageStatus.APPLIED);

        var second = call(function, "next", "runId", runId);
        assertThat(started(second)).containsExactly("network", "domain");
        call(function, "recordFailure", "runId", runId, "stage", "network", "error",
                Map.of("Error", "States.TaskFailed", "Cause", "Build failed: terraform plan exited with 1\nmore lines of the build"));
        call(function, "record", "runId", runId, "stage", "domain");

        var third = call(function, "next", "runId", runId);
        assertThat(started(third)).isEmpty();
        assertThat(third.get("done")).isEqualTo(true);
        var stages = runs.get("dev", runId).orElseThrow().stages();
        assertThat(stages.get("network").status()).isEqualTo(StageStatus.FAILED);
        assertThat(stages.get("network").error()).isEqualTo("States.TaskFailed: Build failed: terraform plan exited with 1");
        assertThat(stages.get("app_db").status()).isEqualTo(StageStatus.SKIPPED);
        assertThat(stages.get("app_db").error()).contains("`network` failed");
        assertThat(stages.get("domain").status()).isEqualTo(StageStatus.APPLIED);

        assertThat(call(function, "finish", "executionArn", EXECUTION)).containsEntry("status", "FAILED");
        assertThat(runs.get("dev", runId).orElseThrow().status()).isEqualTo(RunStatus.FAILED);
        assertThat(locks.owner("dev")).isEmpty();
        // idempotent: the EventBridge rule calls Finish again for the failed execution
        assertThat(call(function, "finish", "executionArn", EXECUTION)).containsEntry("status", "FAILED");
    }
}
