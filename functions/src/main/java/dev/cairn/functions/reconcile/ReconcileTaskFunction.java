package dev.cairn.functions.reconcile;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.reconciler.run.RunAction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The reconcile state machine's task function
 * ({@code dev.cairn.functions.reconcile.ReconcileTaskFunction::handleRequest}): one Lambda for
 * every step, dispatching on the payload's {@code task} ({@code prepare}, {@code next},
 * {@code render}, {@code planned}, {@code approve}, {@code record}, {@code recordFailure},
 * {@code finish}), and Finish for an EventBridge "Step Functions Execution Status Change" event
 * (an execution that was aborted, timed out or failed before its own Finish).
 *
 * <p>One function rather than one per step: the steps share the same stores and clients, so one
 * SnapStart snapshot, one role and one warm pool serve a whole run (a run calls it several times
 * per stage, which keeps it warm), and the template stays small. The behaviour lives in
 * {@link ReconcileTasks}; this class only reads the payload and shapes the answer (ids only).
 */
public final class ReconcileTaskFunction implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final Logger LOG = LoggerFactory.getLogger(ReconcileTaskFunction.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String EXECUTION_STATUS_CHANGE = "Step Functions Execution Status Change";

    private final ReconcileTasks tasks;

    public ReconcileTaskFunction() {
        this(System.getenv());
    }

    public ReconcileTaskFunction(Map<String, String> env) {
        this(ReconcileWiring.tasks(Map.copyOf(env)));
    }

    ReconcileTaskFunction(ReconcileTasks tasks) {
        this.tasks = tasks;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        return context == null ? handle(input) : PowertoolsLogging.withLogging(context, () -> handle(input));
    }

    Map<String, Object> handle(Map<String, Object> input) {
        if (input == null) throw new IllegalArgumentException("no payload: the state machine sends {\"task\": ..., ids}");
        if (EXECUTION_STATUS_CHANGE.equals(input.get("detail-type"))) return executionEnded(input);
        var task = required(input, "task");
        var infra = required(input, "infrastructure");
        LOG.info("task", entry("task", task), entry("infrastructure", infra), entry("run", input.getOrDefault("runId", "")),
                entry("stage", input.getOrDefault("stage", "")));
        try {
            return switch (task) {
                case "prepare" -> {
                    var prepared = tasks.prepare(infra, RunAction.valueOf(required(input, "action").toUpperCase(Locale.ROOT)),
                            required(input, "commit"), ReconcileTasks.text(input, "ref").orElse("refs/heads/main"),
                            ReconcileTasks.text(input, "trigger").orElse(""), required(input, "executionArn"), stages(input));
                    var ahead = StageCompute.PLAN_AHEAD;
                    yield Map.of("runId", prepared.runId(), "parallelism", prepared.parallelism(), "planAhead", prepared.planAhead(),
                            "aheadRoleArn", prepared.aheadRoleArn(), "aheadComputeType", ahead.computeType(),
                            "aheadEnvironmentType", ahead.environmentType(), "aheadImage", ahead.image());
                }
                case "next" -> {
                    var next = tasks.next(infra, required(input, "runId"));
                    var out = new LinkedHashMap<String, Object>();
                    out.put("start", JSON.convertValue(next.start(), java.util.List.class));
                    out.put("done", next.done());
                    yield out;
                }
                case "render" -> {
                    tasks.render(infra, required(input, "runId"), required(input, "stage"));
                    yield Map.of();
                }
                case "planned" -> Map.of("then", tasks.planned(infra, required(input, "runId"), required(input, "stage")));
                case "approve" -> {
                    tasks.approve(infra, required(input, "runId"), required(input, "stage"), required(input, "taskToken"));
                    yield Map.of();
                }
                case "record" -> {
                    tasks.record(infra, required(input, "runId"), required(input, "stage"));
                    yield Map.of();
                }
                case "recordFailure" -> {
                    // the state machine passes the caught error object ({Error, Cause}; Cause may be absent)
                    var error = input.get("error") instanceof Map<?, ?> caught ? caught : Map.of("Error", input.getOrDefault("error", ""),
                            "Cause", input.getOrDefault("cause", ""));
                    tasks.recordFailure(infra, required(input, "runId"), required(input, "stage"),
                            error.get("Error") == null ? null : String.valueOf(error.get("Error")),
                            error.get("Cause") == null ? null : String.valueOf(error.get("Cause")),
                            Boolean.TRUE.equals(input.get("notApproved")));
                    yield Map.of();
                }
                case "finish" -> Map.of("status", tasks.finish(infra, required(input, "executionArn"), null).name());
                default -> throw new IllegalArgumentException("unknown task `" + task
                        + "` (expected prepare, next, render, planned, approve, record, recordFailure or finish)");
            };
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(task + " failed: " + e.getMessage(), e);
        }
    }

    /** EventBridge: an execution ended as ABORTED, TIMED_OUT or FAILED; Finish for it (idempotent). */
    private Map<String, Object> executionEnded(Map<String, Object> event) {
        if (!(event.get("detail") instanceof Map<?, ?> detail)) throw new IllegalArgumentException("execution status event without detail");
        var executionArn = String.valueOf(detail.get("executionArn"));
        var status = String.valueOf(detail.get("status"));
        String infra;
        try {
            infra = JSON.readTree(String.valueOf(detail.get("input"))).path("infrastructure").asText(null);
        } catch (Exception e) {
            infra = null;
        }
        if (infra == null || infra.isBlank()) {
            LOG.warn("execution ended without an infrastructure in its input; nothing to release", entry("execution", executionArn));
            return Map.of("status", "FAILED");
        }
        LOG.info("execution ended", entry("execution", executionArn), entry("status", status));
        var why = "the execution was " + status.toLowerCase(Locale.ROOT).replace('_', ' ');
        // a cancel (/infra cancel: StopExecution with error Cancelled) says who; its cause is ours, never a secret
        if ("Cancelled".equals(detail.get("error")) && detail.get("cause") instanceof String cause && !cause.isBlank()) {
            why += ": " + cause.strip().lines().findFirst().orElse("");
        }
        return Map.of("status", tasks.finish(infra, executionArn, why).name());
    }

    /** {@code "stages": "network,domain"} as the launcher sends it (empty or absent: every stage). */
    static java.util.List<String> stages(Map<String, Object> input) {
        return ReconcileTasks.text(input, "stages").map(text -> java.util.Arrays.stream(text.split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).distinct().toList()).orElse(java.util.List.of());
    }

    private static String required(Map<String, Object> input, String key) {
        return ReconcileTasks.text(input, key).orElseThrow(() -> new IllegalArgumentException("the payload has no `" + key + "`"));
    }
}
