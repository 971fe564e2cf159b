package dev.cairn.cli.serve;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.store.RunStore;
import dev.cairn.statemachine.Executions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Writer;
import java.util.Locale;
import java.util.Set;

/**
 * What EventBridge does in AWS for the reconcile state machine, locally: when an execution ends
 * other than {@code SUCCEEDED} (aborted, timed out or failed), the task function gets the
 * "Step Functions Execution Status Change" event, so Finish records the run and releases the lock
 * (idempotent: a run that reached its own Finish is left as it is). Before that, for an execution
 * that was stopped or timed out, each stage of its run still in progress (planning, applying,
 * destroying, or planned and never applied) is recorded failed through the task function's
 * {@code recordFailure}: a stage cut short did not succeed, and its dependents must not run.
 */
final class ExecutionEndings implements Executions.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutionEndings.class);
    private static final Set<String> ENDED = Set.of("ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut");

    private final LocalFunctions functions;
    private final String taskFunction;
    private final LockStore locks;
    private final RunStore runs;
    private final Writer log;

    ExecutionEndings(LocalFunctions functions, String taskFunction, LockStore locks, RunStore runs, Writer log) {
        this.functions = functions;
        this.taskFunction = taskFunction;
        this.locks = locks;
        this.runs = runs;
        this.log = log;
    }

    @Override
    public void event(Executions.Execution execution, Executions.HistoryEvent event) {
        if (!ENDED.contains(event.type())) return;
        var infra = execution.input().path("infrastructure").asText("");
        if (infra.isBlank()) return;
        var status = switch (event.type()) {
            case "ExecutionAborted" -> "ABORTED";
            case "ExecutionTimedOut" -> "TIMED_OUT";
            default -> "FAILED";
        };
        try {
            if (!status.equals("FAILED")) {
                var why = execution.cause().filter(c -> !c.isBlank()).orElse("the execution was " + status.toLowerCase(Locale.ROOT).replace('_', ' '));
                failStagesInProgress(infra, execution.id(), status, why);
            }
            finish(infra, execution.id(), execution.name(), status, execution.input().toString(), execution.error(), execution.cause());
        } catch (IOException | RuntimeException e) {
            LOG.error("execution {} ended {} but its run could not be finished (lock of {} may stay held; `cairn unlock` frees it): {}",
                    execution.name(), status, infra, e.getMessage());
        }
    }

    /**
     * At start: an execution of a previous serve that still holds a lock (that serve was killed
     * without its shutdown) is gone; its run is ended as an aborted execution's would be.
     */
    void recover(String infra, String executionArn, String why) {
        try {
            failStagesInProgress(infra, executionArn, "ABORTED", why);
            finish(infra, executionArn, executionArn.substring(executionArn.lastIndexOf(':') + 1), "ABORTED",
                    JsonNodeFactory.instance.objectNode().put("infrastructure", infra).toString(), java.util.Optional.empty(), java.util.Optional.empty());
            LOG.warn("run of {} left by execution {} ended: {}", infra, executionArn, why);
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot end the run of {} left by execution {} (`cairn unlock` frees the lock): {}", infra, executionArn, e.getMessage());
        }
    }

    /** The status change event EventBridge sends, with the error and cause StopExecution gave (a cancel says why, e.g. superseded). */
    private void finish(String infra, String executionArn, String name, String status, String input,
                        java.util.Optional<String> error, java.util.Optional<String> cause) throws IOException {
        var change = JsonNodeFactory.instance.objectNode();
        change.put("version", "0");
        change.put("source", "aws.states");
        change.put("detail-type", "Step Functions Execution Status Change");
        var detail = change.putObject("detail");
        detail.put("executionArn", executionArn);
        detail.put("name", name);
        detail.put("status", status);
        detail.put("input", input);
        error.ifPresent(e -> detail.put("error", e));
        cause.ifPresent(c -> detail.put("cause", c));
        functions.invoke(taskFunction, Json.MAPPER.writeValueAsBytes(change), log);
    }

    private void failStagesInProgress(String infra, String executionArn, String status, String why) throws IOException {
        var owner = locks.owner(infra).filter(o -> executionArn.equals(o.executionArn()));
        if (owner.isEmpty()) return;
        var run = runs.get(infra, owner.get().runId());
        if (run.isEmpty()) return;
        for (var stage : run.get().stages().values()) {
            boolean inProgress = switch (stage.status()) {
                case PLANNING, APPLYING, DESTROYING -> true;
                case PLANNED -> run.get().action() != RunAction.PLAN;
                default -> false;
            };
            if (!inProgress) continue;
            var payload = JsonNodeFactory.instance.objectNode();
            payload.put("task", "recordFailure");
            payload.put("infrastructure", infra);
            payload.put("runId", run.get().id());
            payload.put("stage", stage.stage());
            var error = payload.putObject("error");
            error.put("Error", "States." + (status.equals("ABORTED") ? "Aborted" : "Timeout"));
            error.put("Cause", "stopped while " + stage.status().label() + ": " + why);
            functions.invoke(taskFunction, Json.MAPPER.writeValueAsBytes(payload), log);
        }
    }
}
