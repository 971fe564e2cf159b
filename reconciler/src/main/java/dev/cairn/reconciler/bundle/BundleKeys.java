package dev.cairn.reconciler.bundle;

/**
 * The blob store keys of one stage of one run: where the Render step puts the bundle and where
 * {@code cairn stage} puts back the saved plan, its JSON summary, the result and the log. The
 * same keys in S3 (SSE-KMS) and under a local state dir.
 */
public final class BundleKeys {
    private BundleKeys() {
    }

    /** The stage bundle: one zip archive of the rendered work dir and its {@code cairn-stage.json}. */
    public static String bundle(String infrastructure, String runId, String stage) {
        return "bundles/" + path(infrastructure, runId, stage) + ".zip";
    }

    /** The saved plan ({@code terraform plan -out}); holds sensitive values. */
    public static String plan(String infrastructure, String runId, String stage) {
        return "plans/" + path(infrastructure, runId, stage) + ".tfplan";
    }

    /** The plan's summary: counts, resource addresses and actions, changed outputs (no values). */
    public static String planSummary(String infrastructure, String runId, String stage) {
        return "plans/" + path(infrastructure, runId, stage) + ".json";
    }

    /** The {@link StageReport} of the stage's last step, which the Record step reads; holds sensitive outputs. */
    public static String result(String infrastructure, String runId, String stage) {
        return "results/" + path(infrastructure, runId, stage) + ".json";
    }

    /**
     * The Terraform state of a stage with a local backend whose bundle keeps it in the work dir
     * (the backend stage in AWS, which creates the state bucket); holds secrets. Not per run.
     */
    public static String state(String infrastructure, String stage) {
        return "state/" + name(infrastructure, "infrastructure") + "/" + name(stage, "stage") + ".tfstate";
    }

    /**
     * The stage's bundle as Prepare rendered it for the run's plan-ahead build, from the outputs
     * stored when the run began (the same content as {@link #bundle} when nothing upstream changes).
     */
    public static String aheadBundle(String infrastructure, String runId, String stage) {
        return "bundles/" + path(infrastructure, runId, stage) + ".ahead.zip";
    }

    /** The {@link AheadReport} of the stage's plan in the run's plan-ahead build (no outputs, no secrets). */
    public static String ahead(String infrastructure, String runId, String stage) {
        return "ahead/" + path(infrastructure, runId, stage) + ".json";
    }

    /** The stage log: every terraform command and its output, secrets redacted. */
    public static String log(String infrastructure, String runId, String stage) {
        return "logs/" + path(infrastructure, runId, stage) + ".log";
    }

    private static String path(String infrastructure, String runId, String stage) {
        return name(infrastructure, "infrastructure") + "/" + name(runId, "run id") + "/" + name(stage, "stage");
    }

    /** A key part: no separators, no dot-only names, nothing that could climb out of its folder. */
    static String name(String value, String what) {
        if (value == null || value.isBlank() || value.equals(".") || value.equals("..")
                || !value.matches("[A-Za-z0-9._-]{1,128}")) {
            throw new IllegalArgumentException("invalid " + what + " `" + value + "`: letters, digits, '.', '_' and '-' only");
        }
        return value;
    }
}
