package dev.cairn.reconciler.run;

/** The state of one stage within a run. */
public enum StageStatus {
    PENDING, PLANNING, PLANNED, NO_CHANGES, DEFERRED, APPLYING, APPLIED, DESTROYING, DESTROYED, FAILED, SKIPPED;

    public boolean done() {
        return switch (this) {
            case PLANNED, NO_CHANGES, DEFERRED, APPLIED, DESTROYED, FAILED, SKIPPED -> true;
            default -> false;
        };
    }

    public String label() {
        return name().toLowerCase().replace('_', ' ');
    }
}
