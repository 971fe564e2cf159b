package dev.cairn.reconciler.terraform;

/** Exit code, captured standard output, and the last lines of standard error of one terraform command. */
public record CommandResult(int exitCode, String stdout, String errorTail) {
}
