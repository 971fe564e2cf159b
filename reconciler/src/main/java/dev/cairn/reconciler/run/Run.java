package dev.cairn.reconciler.run;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One reconcile of one infrastructure. Immutable: every change makes a new {@code Run} with the
 * next {@code version}, which the stores use for conditional writes.
 *
 * @param executionArn the state machine execution that runs it (Step Functions, or the local
 *                     executor of {@code cairn serve}), or null: a run of the local driver, or a
 *                     record stored before the field existed
 */
public record Run(String id, String infrastructure, RunAction action, RunStatus status, String trigger,
                  String revision, Instant startedAt, Instant finishedAt, List<List<String>> waves,
                  Map<String, StageResult> stages, String error, long version, String executionArn) {

    /** A run no execution is known for (the local driver). */
    public Run(String id, String infrastructure, RunAction action, RunStatus status, String trigger,
               String revision, Instant startedAt, Instant finishedAt, List<List<String>> waves,
               Map<String, StageResult> stages, String error, long version) {
        this(id, infrastructure, action, status, trigger, revision, startedAt, finishedAt, waves, stages, error, version, null);
    }

    /**
     * A new run of {@code stages} (version 0, running): every stage pending, each with its log key
     * ({@code logs/INFRA/RUN/STAGE.log}, as {@code BundleKeys.log}). What Prepare stores.
     */
    public static Run start(String id, dev.cairn.reconciler.graph.Stages stages, RunAction action, String trigger, String revision) {
        var infra = stages.infrastructure().name();
        var results = new LinkedHashMap<String, StageResult>();
        for (var stage : stages.graph().topologicalOrder()) {
            results.put(stage, StageResult.pending(stage).withLog(dev.cairn.reconciler.bundle.BundleKeys.log(infra, id, stage)));
        }
        return new Run(id, infra, action, RunStatus.RUNNING, trigger, revision, Instant.now(), null, stages.graph().waves(),
                results, null, 0);
    }

    public Run withStage(StageResult result) {
        var next = new LinkedHashMap<>(stages);
        next.put(result.stage(), result);
        return new Run(id, infrastructure, action, status, trigger, revision, startedAt, finishedAt, waves, next, error, version + 1, executionArn);
    }

    public Run finish(RunStatus outcome, String message) {
        return new Run(id, infrastructure, action, outcome, trigger, revision, startedAt, Instant.now(), waves, stages, message, version + 1, executionArn);
    }

    public StageResult stage(String name) {
        return stages.get(name);
    }

    /** The same run as version {@code next} (what a store's conditional write expects). */
    public Run withVersion(long next) {
        return new Run(id, infrastructure, action, status, trigger, revision, startedAt, finishedAt, waves, stages, error, next, executionArn);
    }

    /** The same run (same version) with the execution that runs it. */
    public Run withExecutionArn(String arn) {
        return new Run(id, infrastructure, action, status, trigger, revision, startedAt, finishedAt, waves, stages, error, version, arn);
    }
}
