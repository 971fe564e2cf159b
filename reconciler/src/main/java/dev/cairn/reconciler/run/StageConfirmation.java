package dev.cairn.reconciler.run;

/**
 * Whether the plan a stage applied (or would apply) was seen and confirmed by a person: the
 * promise that only what someone saw is applied. Recorded on each {@link StageResult} whose plan
 * has changes in an apply or destroy run; absent for stages with nothing to apply.
 */
public enum StageConfirmation {
    /** Shown and confirmed at the run's first question. */
    CONFIRMED,
    /** Planned after an upstream stage applied (a deferred or redone plan), then shown and confirmed. */
    CONFIRMED_LATER,
    /** Applied without asking ({@code --yes}, or a policy that auto-applies). */
    AUTO,
    /** Shown and not confirmed, or waiting on a stage that was not: nothing of it was applied. */
    NOT_CONFIRMED;

    public String label() {
        return switch (this) {
            case CONFIRMED -> "confirmed";
            case CONFIRMED_LATER -> "confirmed later";
            case AUTO -> "under --yes";
            case NOT_CONFIRMED -> "not confirmed";
        };
    }
}
