package dev.cairn.reconciler.run;

import dev.cairn.reconciler.terraform.PlanSummary;

import java.time.Instant;

/**
 * One stage's outcome in a run. {@code error} is already redacted; {@code log} is the stage log's
 * key; {@code planKey} and {@code planSha256} name the saved plan in the blob store and its
 * checksum when the plan was made elsewhere (CodeBuild), so that only that exact plan is applied;
 * {@code confirmation} says whether a person saw and confirmed the plan (null: nothing to confirm);
 * {@code planning} how its plan was made (speculative, redone, after upstream); {@code planInputs}
 * the fingerprint of what that plan was made from ({@code StageRunner.inputsFingerprint}), so that it
 * is applied only while its inputs are still those; {@code timings} where the stage's time went;
 * {@code inexactBecause}, in a preview, the upstream stages of the run whose plans change an output
 * this stage consumes (its plan was made from the outputs of the last apply, so it is not what would
 * happen), null when none (and in records written before it existed).
 */
public record StageResult(String stage, StageStatus status, PlanSummary plan, String error, Instant startedAt,
                          Instant finishedAt, String log, String planKey, String planSha256, StageConfirmation confirmation,
                          StagePlanning planning, String planInputs, StageTimings timings,
                          java.util.List<String> inexactBecause) {

    public StageResult {
        inexactBecause = inexactBecause == null || inexactBecause.isEmpty() ? null : java.util.List.copyOf(inexactBecause);
    }

    public StageResult(String stage, StageStatus status, PlanSummary plan, String error, Instant startedAt,
                       Instant finishedAt, String log, String planKey, String planSha256, StageConfirmation confirmation,
                       StagePlanning planning, String planInputs, StageTimings timings) {
        this(stage, status, plan, error, startedAt, finishedAt, log, planKey, planSha256, confirmation, planning, planInputs, timings, null);
    }

    public StageResult(String stage, StageStatus status, PlanSummary plan, String error, Instant startedAt,
                       Instant finishedAt, String log, String planKey, String planSha256, StageConfirmation confirmation) {
        this(stage, status, plan, error, startedAt, finishedAt, log, planKey, planSha256, confirmation, null, null, null);
    }

    public StageResult(String stage, StageStatus status, PlanSummary plan, String error, Instant startedAt,
                       Instant finishedAt, String log) {
        this(stage, status, plan, error, startedAt, finishedAt, log, null, null);
    }

    public StageResult(String stage, StageStatus status, PlanSummary plan, String error, Instant startedAt,
                       Instant finishedAt, String log, String planKey, String planSha256) {
        this(stage, status, plan, error, startedAt, finishedAt, log, planKey, planSha256, null);
    }

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
        return new StageResult(stage, next, plan, error, start, end, log, planKey, planSha256, confirmation, planning, planInputs, timings, inexactBecause);
    }

    public StageResult withPlan(PlanSummary summary) {
        return new StageResult(stage, status, summary, error, startedAt, finishedAt, log, planKey, planSha256, confirmation, planning, planInputs, timings, inexactBecause);
    }

    public StageResult failed(String message) {
        return new StageResult(stage, StageStatus.FAILED, plan, message, startedAt == null ? Instant.now() : startedAt,
                Instant.now(), log, planKey, planSha256, confirmation, planning, planInputs, timings, inexactBecause);
    }

    public StageResult withLog(String key) {
        return new StageResult(stage, status, plan, error, startedAt, finishedAt, key, planKey, planSha256, confirmation, planning, planInputs, timings, inexactBecause);
    }

    public StageResult skipped(String why) {
        return new StageResult(stage, StageStatus.SKIPPED, plan, why, startedAt, Instant.now(), log, planKey, planSha256, confirmation, planning, planInputs, timings, inexactBecause);
    }

    /** The saved plan this stage's apply must use: its blob key and SHA-256. */
    public StageResult withSavedPlan(String key, String sha256) {
        return new StageResult(stage, status, plan, error, startedAt, finishedAt, log, key, sha256, confirmation, planning, planInputs, timings, inexactBecause);
    }

    /** The same result with whether its plan was confirmed. */
    public StageResult withConfirmation(StageConfirmation value) {
        return new StageResult(stage, status, plan, error, startedAt, finishedAt, log, planKey, planSha256, value, planning, planInputs, timings, inexactBecause);
    }

    /** The same result with how its plan was made and the fingerprint of what it was made from. */
    public StageResult withPlanning(StagePlanning value, String inputs) {
        return new StageResult(stage, status, plan, error, startedAt, finishedAt, log, planKey, planSha256, confirmation, value, inputs, timings, inexactBecause);
    }

    /** The same result with where its time went. */
    public StageResult withTimings(StageTimings value) {
        return new StageResult(stage, status, plan, error, startedAt, finishedAt, log, planKey, planSha256, confirmation, planning, planInputs, value, inexactBecause);
    }

    /** The same result marked inexact because of {@code upstream} (a preview's stage; empty: exact). */
    public StageResult withInexact(java.util.List<String> upstream) {
        return new StageResult(stage, status, plan, error, startedAt, finishedAt, log, planKey, planSha256, confirmation, planning, planInputs, timings,
                upstream);
    }

    /** The stage back to pending, its log and timings kept: a failed speculative plan that is tried again from current inputs. */
    public StageResult retried() {
        return new StageResult(stage, StageStatus.PENDING, null, null, startedAt, null, log, null, null, null, null, null, timings);
    }
}
