package dev.cairn.reconciler.bundle;

import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.terraform.PlanSummary;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one {@code cairn stage} step did, stored at {@link BundleKeys#result}: the Record step reads
 * it and hands it to {@code StageCompletion}. It holds the outputs with their values, sensitive
 * ones included: it lives only in the blob store (SSE-KMS in AWS) and is never logged.
 *
 * @param step       {@code plan}, {@code destroy_plan} or {@code apply}
 * @param status     PLANNED / NO_CHANGES after a plan, APPLIED / DESTROYED after an apply, FAILED
 * @param plan       the plan summary (after a plan step; the one applied after an apply)
 * @param planKey    the saved plan's blob key, null when there is nothing to apply
 * @param planSha256 the saved plan's SHA-256
 * @param outputs    planned outputs after a plan (values unknown until apply are absent), applied
 *                   outputs after an apply; empty after a destroy
 * @param error      why the step failed (redacted), null otherwise
 * @param timings    where the stage's steps in this run spent their time (an apply's include its
 *                   plan step's); null in reports written before it existed
 */
public record StageReport(String infrastructure, String runId, String stage, String step, StageStatus status,
                          PlanSummary plan, String planKey, String planSha256, Map<String, StageOutputs.Output> outputs,
                          String log, String error, Timings timings) {

    public StageReport {
        outputs = outputs == null ? Map.of() : outputs;
    }

    public StageReport(String infrastructure, String runId, String stage, String step, StageStatus status,
                       PlanSummary plan, String planKey, String planSha256, Map<String, StageOutputs.Output> outputs,
                       String log, String error) {
        this(infrastructure, runId, stage, step, status, plan, planKey, planSha256, outputs, log, error, null);
    }

    /** The same report with {@code value} as its timings. */
    public StageReport withTimings(Timings value) {
        return new StageReport(infrastructure, runId, stage, step, status, plan, planKey, planSha256, outputs, log, error, value);
    }

    /**
     * The time of a stage's {@code cairn stage} processes in one run, as measured inside them.
     *
     * @param startedAt          when the first step's process started (its JVM, as the OS reports it)
     * @param terraformStartedAt when the first step's first terraform command started; null when none ran
     * @param commands           milliseconds in each terraform command ({@code init}, {@code plan}, {@code show},
     *                           {@code apply}, {@code output}), summed over the steps
     * @param startupMillis      milliseconds from each step's process start to its first terraform command (JVM
     *                           start, stores, bundle and state download), summed over the steps
     */
    public record Timings(Instant startedAt, Instant terraformStartedAt, Map<String, Long> commands, long startupMillis) {
        public Timings {
            commands = commands == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(commands));
        }

        /** {@code later} (the next step of the same stage, such as the apply after its plan) added to these. */
        public Timings then(Timings later) {
            if (later == null) return this;
            var sum = new LinkedHashMap<>(commands);
            later.commands().forEach((command, ms) -> sum.merge(command, ms, Long::sum));
            return new Timings(startedAt, terraformStartedAt != null ? terraformStartedAt : later.terraformStartedAt(), sum,
                    startupMillis + later.startupMillis());
        }
    }
}
