package dev.cairn.reconciler.run;

/**
 * Where a run is: running, finished well, failed, or cancelled: stopped at a confirmation that was
 * not given (what was confirmed before it is applied; the stages that wait are marked
 * {@link StageConfirmation#NOT_CONFIRMED}).
 */
public enum RunStatus {
    RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean finished() {
        return this != RUNNING;
    }
}
