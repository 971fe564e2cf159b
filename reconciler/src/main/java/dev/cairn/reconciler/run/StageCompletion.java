package dev.cairn.reconciler.run;

import dev.cairn.reconciler.bundle.StageReport;
import dev.cairn.reconciler.store.OutputStore;
import dev.cairn.reconciler.store.RunStore;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.template.Unknown;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Records what a stage did: its result (status, plan summary, saved plan key and SHA-256, error)
 * on the run in {@link RunStore}, and its applied outputs in {@link OutputStore}. The local driver
 * ({@link Reconciler}) and the state machine's Record step both write through this class, so a
 * stage ends the same way in both modes.
 *
 * <p>Run writes are conditional on the run's version; the stages of one run finish in parallel
 * (Step Functions Map branches), so a conflict re-reads the run and applies the result again.
 */
public final class StageCompletion {
    private static final int ATTEMPTS = 20;

    private final RunStore runs;
    private final OutputStore outputs;

    public StageCompletion(RunStore runs, OutputStore outputs) {
        this.runs = runs;
        this.outputs = outputs;
    }

    /**
     * Puts {@code result} on {@code current} and stores the run; on a version conflict re-reads the
     * stored run and retries.
     *
     * @return the run as stored
     */
    public Run record(Run current, StageResult result) {
        var run = current;
        for (int attempt = 1; ; attempt++) {
            var next = run.withStage(result);
            try {
                runs.put(next);
                return next;
            } catch (RunStore.ConflictException e) {
                if (attempt >= ATTEMPTS) throw e;
                run = runs.get(current.infrastructure(), current.id())
                        .orElseThrow(() -> new IllegalStateException("run " + current.id() + " of `" + current.infrastructure() + "` is gone"));
            }
        }
    }

    /** {@link #record(Run, StageResult)} on the stored run {@code runId}: what the Record step calls. */
    public Run record(String infrastructure, String runId, StageResult result) {
        var run = runs.get(infrastructure, runId).orElseThrow(() -> new IllegalArgumentException(
                "no run " + runId + " of `" + infrastructure + "` in the run store"));
        return record(run, result);
    }

    /**
     * Stores a stage's applied outputs. An output whose value carries a known secret (one built
     * from a sensitive input) is stored as sensitive too; every sensitive value is added to
     * {@code redactor} so that later logs mask it.
     */
    public StageOutputs storeOutputs(String infrastructure, String runId, String stage, Map<String, StageOutputs.Output> values,
                                     Redactor redactor) {
        var marked = new LinkedHashMap<String, StageOutputs.Output>();
        values.forEach((k, v) -> marked.put(k, v.sensitive() || !redactor.reveals(v.value()) ? v : new StageOutputs.Output(v.value(), true)));
        marked.values().forEach(v -> {
            if (v.sensitive()) redactor.add(v.value());
        });
        var record = new StageOutputs(stage, runId, Instant.now(), marked);
        outputs.put(infrastructure, record);
        return record;
    }

    /**
     * Records {@code stage} as skipped because {@code cause} failed (what {@link Scheduler.Next#skipped}
     * says), with the same message as local mode.
     */
    public Run skip(String infrastructure, String runId, String stage, String cause) {
        var run = runs.get(infrastructure, runId).orElseThrow(() -> new IllegalArgumentException(
                "no run " + runId + " of `" + infrastructure + "` in the run store"));
        var current = run.stage(stage) == null ? StageResult.pending(stage) : run.stage(stage);
        return record(run, current.skipped(skippedBecause(cause)));
    }

    /** The message of a stage skipped because {@code cause} failed. */
    public static String skippedBecause(String cause) {
        return "skipped: `" + cause + "` failed";
    }

    /**
     * The finished stages of {@code run} as the {@link Scheduler} counts them: applied, destroyed,
     * unchanged, planned (a plan-only run) and deferred are successes; failed and skipped are
     * themselves. Stages not finished yet are absent.
     */
    public static Map<String, Scheduler.Outcome> outcomes(Run run) {
        var out = new LinkedHashMap<String, Scheduler.Outcome>();
        run.stages().forEach((stage, r) -> {
            switch (r.status()) {
                case APPLIED, DESTROYED, NO_CHANGES, PLANNED, DEFERRED -> out.put(stage, Scheduler.Outcome.SUCCEEDED);
                case FAILED -> out.put(stage, Scheduler.Outcome.FAILED);
                case SKIPPED -> out.put(stage, Scheduler.Outcome.SKIPPED);
                default -> {
                }
            }
        });
        return out;
    }

    /** Forgets a destroyed stage's outputs. */
    public void forgetOutputs(String infrastructure, String stage) {
        outputs.delete(infrastructure, stage);
    }

    /**
     * Records a {@code cairn stage} step's {@link StageReport} (the Record step): the status, plan
     * summary, saved plan and error on the run, and the outputs: after an apply (or an
     * {@code outputs} step) they are stored; after a no-change plan they are stored when all are
     * known (what downstream stages are rendered from, as in local mode); after a destroy the
     * stage's outputs are forgotten. Outputs of a plan with changes are not applied yet: not stored.
     *
     * @param redact masks secrets in the error; a {@link Redactor} also learns the sensitive outputs
     */
    public Run complete(StageReport report, UnaryOperator<String> redact) {
        return complete(report, redact, null);
    }

    /**
     * As {@link #complete(StageReport, UnaryOperator)}, the stage's result also given
     * {@code timings} (what its report measured, with the wait the run's record shows; null: the
     * recorded ones kept).
     */
    public Run complete(StageReport report, UnaryOperator<String> redact, StageTimings timings) {
        var run = runs.get(report.infrastructure(), report.runId()).orElseThrow(() -> new IllegalArgumentException(
                "no run " + report.runId() + " of `" + report.infrastructure() + "` in the run store"));
        var previous = run.stage(report.stage());
        var result = previous == null ? StageResult.pending(report.stage()) : previous;
        if (report.log() != null) result = result.withLog(report.log());
        if (report.plan() != null) result = result.withPlan(report.plan());
        if (report.planKey() != null) result = result.withSavedPlan(report.planKey(), report.planSha256());
        if (timings != null) result = result.withTimings(timings);
        if (report.status() == StageStatus.FAILED) {
            return record(run, result.failed(redact.apply(report.error() == null ? "the stage failed" : report.error())));
        }
        boolean allKnown = report.outputs().values().stream().noneMatch(v -> v.value() == Unknown.VALUE);
        boolean store = switch (report.status()) {
            case APPLIED -> true;
            // a pull request's preview plans code that is not applied: its outputs are never the infrastructure's
            case NO_CHANGES -> !"destroy_plan".equals(report.step()) && !dev.cairn.reconciler.preview.Previews.STEP.equals(report.step()) && allKnown;
            default -> false;
        };
        if (store) {
            var known = new LinkedHashMap<String, StageOutputs.Output>();
            report.outputs().forEach((k, v) -> {
                if (v.value() != Unknown.VALUE) known.put(k, v);
            });
            storeOutputs(report.infrastructure(), report.runId(), report.stage(), known, redact instanceof Redactor r ? r : new Redactor());
        } else if (report.status() == StageStatus.DESTROYED) {
            forgetOutputs(report.infrastructure(), report.stage());
        }
        return record(run, result.with(report.status()));
    }
}
