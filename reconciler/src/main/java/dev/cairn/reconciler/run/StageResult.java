package dev.cairn.reconciler.run;

import dev.cairn.reconciler.terraform.PlanSummary;

import java.time.Instant;

/** One stage's outcome in a run. {@code error} is already redacted; {@code log} is the stage log's key. */
public record StageResult(String stage, StageStatus status, PlanSummary plan, String error, Instant startedAt,
                          Instant finishedAt, String log) {

    public static StageResult pending(String stage) {
        return new StageResult(stage, StageStatus.PENDING, null, null, null, null, null);
    }

    /**
     * The next status. The start time is reset when the stage starts applying, destroying, or
     * planning again after a deferral, so durations measure work, not time spent waiting for a
     * confirmation.
     */
    public StageResult with(StageStatus next) {
        boolean restart = next == StageStatus.APPLYING || next == StageStatus.DESTROYING
                || (next == StageStatus.PLANNING && status == StageStatus.DEFERRED);
        var start = (startedAt == null && next != StageStatus.PENDING) || restart ? Instant.now() : startedAt;
        var end = next.done() ? Instant.now() : null;
        return new StageResult(stage, next, plan, error, start, end, log);
    }

    public StageResult withPlan(PlanSummary summary) {
        return new StageResult(stage, status, summary, error, startedAt, finishedAt, log);
    }

    public StageResult failed(String message) {
        return new StageResult(stage, StageStatus.FAILED, plan, message, startedAt == null ? Instant.now() : startedAt,
                Instant.now(), log);
    }

    public StageResult withLog(String key) {
        return new StageResult(stage, status, plan, error, startedAt, finishedAt, key);
    }

    public StageResult skipped(String why) {
        return new StageResult(stage, StageStatus.SKIPPED, plan, why, startedAt, Instant.now(), log);
    }
}
