package dev.cairn.reconciler.bundle;

import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.terraform.PlanSummary;

/**
 * One stage's plan in a deployed run's plan-ahead build ({@code cairn stage plan_ahead}), stored at
 * {@link BundleKeys#ahead}: planned from the bundle Prepare rendered from the outputs stored when
 * the run began. NextStages records the stage {@code NO_CHANGES} from it, without a build, only
 * when the plan has no changes and the stage's bundle rendered at its turn has the same
 * {@code inputsSha256}. It holds no outputs and no secrets.
 *
 * @param status       NO_CHANGES or PLANNED (the plan has changes), FAILED (the stage gets its normal build)
 * @param inputsSha256 the planned bundle's {@link BundleManifest#inputsSha256()} (its tfvars)
 * @param bundleSha256 the planned bundle archive's SHA-256 (deterministic: module files, backend and provider too)
 * @param error        why the plan failed (redacted), null otherwise
 */
public record AheadReport(String infrastructure, String runId, String stage, StageStatus status, String inputsSha256, String bundleSha256,
                          PlanSummary plan, String log, String error, StageReport.Timings timings) {

    /** The plan stands for the stage's turn when it changes nothing and was made from the very bundle {@code now} rendered at that turn. */
    public boolean noChangesFor(StageBundle now, byte[] zip) {
        return status == StageStatus.NO_CHANGES && plan != null && !plan.hasChanges() && inputsSha256 != null
                && inputsSha256.equals(now.manifest().inputsSha256()) && StageBundle.sha256(zip).equals(bundleSha256);
    }
}
