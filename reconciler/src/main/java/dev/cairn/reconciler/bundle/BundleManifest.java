package dev.cairn.reconciler.bundle;

import java.util.List;

/**
 * {@code cairn-stage.json}, the small manifest inside every stage bundle: which infrastructure,
 * run and stage it was rendered for, the run's action, the SHA-256 of the rendered inputs
 * ({@code cairn.auto.tfvars.json}), and the names (never the values) of the inputs that are
 * sensitive, so that {@code cairn stage} redacts their values from the log.
 *
 * @param format          the manifest's format version, {@value #FORMAT}
 * @param action          {@code PLAN}, {@code APPLY} or {@code DESTROY}
 * @param revision        the commit the stage was rendered from, null when unknown
 * @param sensitiveInputs input variable names whose values are secrets
 */
public record BundleManifest(int format, String infrastructure, String runId, String stage, String action,
                             String revision, String inputsSha256, List<String> sensitiveInputs) {
    public static final int FORMAT = 1;
    public static final String FILE = "cairn-stage.json";

    public BundleManifest {
        sensitiveInputs = sensitiveInputs == null ? List.of() : List.copyOf(sensitiveInputs);
    }
}
