package dev.cairn.reconciler.launch;

import dev.cairn.reconciler.run.RunAction;

/**
 * Starts a reconcile somewhere else: a Step Functions execution in AWS, the local executor under
 * {@code cairn serve}. Idempotent by {@link RunRequest#name()}: a request whose name was already
 * started returns that run and starts nothing.
 */
public interface RunLauncher {

    /**
     * @param name    the deterministic run name ({@link ExecutionNames}), derived from signed content
     * @param commit  the full commit id to reconcile
     * @param trigger what asked for it ({@code github:push DELIVERY}, {@code slack:U123})
     */
    record RunRequest(String name, String infrastructure, RunAction action, String commit, String ref, String trigger) {
    }

    /** @param alreadyStarted true when a run of that name existed, so nothing new was started */
    record Launched(String name, String executionId, boolean alreadyStarted) {
    }

    Launched launch(RunRequest request);
}
