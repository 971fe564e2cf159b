package dev.cairn.reconciler.terraform;

/** A terraform command of a stage failed; the message holds Terraform's own error, redacted. */
public class StageFailedException extends RuntimeException {
    public StageFailedException(String message) {
        super(message);
    }
}
