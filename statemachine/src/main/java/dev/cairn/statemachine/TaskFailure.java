package dev.cairn.statemachine;

/** A task's failure as Step Functions sees it: an error name (for Retry/Catch) and a cause. */
public final class TaskFailure extends Exception {
    private final String error;
    private final String cause;

    public TaskFailure(String error, String cause) {
        super(error + (cause == null || cause.isEmpty() ? "" : ": " + cause));
        this.error = error;
        this.cause = cause == null ? "" : cause;
    }

    public String error() {
        return error;
    }

    public String cause() {
        return cause;
    }
}
