package dev.cairn.reconciler.run;

/** Where a run is: running, finished well, failed, or stopped before applying (not confirmed). */
public enum RunStatus {
    RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean finished() {
        return this != RUNNING;
    }
}
