package dev.cairn.reconciler.run;

/**
 * How the plan a stage applied (or would apply) was made. Every stage is planned at once, from the
 * outputs its upstream stages stored at their last apply; before a saved plan is applied, the stage
 * is rendered again from its upstream stages' outputs now, and the plan is used only when what it
 * was made from is still the same.
 */
public enum StagePlanning {
    /** Planned at the start of the run from stored upstream outputs, and those were still the inputs when it was used. */
    SPECULATIVE,
    /**
     * Planned at the start, then discarded because an upstream plan or apply changed an output the
     * stage consumes (or made it unknown), and planned again.
     */
    REDONE,
    /** Could not be planned at the start (an input had no stored value yet): planned after its upstream stages applied. */
    AFTER_UPSTREAM,
    /** Has no upstream stage: planned and applied in one terraform command ({@code --yes}). */
    DIRECT;

    public String label() {
        return switch (this) {
            case SPECULATIVE -> "speculative";
            case REDONE -> "redone";
            case AFTER_UPSTREAM -> "after upstream";
            case DIRECT -> "direct";
        };
    }
}
