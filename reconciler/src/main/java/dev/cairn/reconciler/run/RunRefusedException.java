package dev.cairn.reconciler.run;

/** A run that policy or the state of the infrastructure does not allow; nothing was changed. */
public class RunRefusedException extends RuntimeException {
    public RunRefusedException(String message) {
        super(message);
    }
}
