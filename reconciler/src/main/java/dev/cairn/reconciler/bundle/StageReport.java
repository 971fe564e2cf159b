package dev.cairn.reconciler.bundle;

import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.terraform.PlanSummary;

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
 */
public record StageReport(String infrastructure, String runId, String stage, String step, StageStatus status,
                          PlanSummary plan, String planKey, String planSha256, Map<String, StageOutputs.Output> outputs,
                          String log, String error) {

    public StageReport {
        outputs = outputs == null ? Map.of() : outputs;
    }
}
