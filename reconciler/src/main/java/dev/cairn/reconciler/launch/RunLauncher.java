package dev.cairn.reconciler.launch;

import dev.cairn.reconciler.run.RunAction;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
     * @param stages  the stages to limit the run to ({@code /infra plan prod --stage network});
     *                empty: every stage
     */
    record RunRequest(String name, String infrastructure, RunAction action, String commit, String ref, String trigger,
                      List<String> stages) {
        public RunRequest {
            stages = stages == null ? List.of() : List.copyOf(stages);
        }

        /** A run of every stage. */
        public RunRequest(String name, String infrastructure, RunAction action, String commit, String ref, String trigger) {
            this(name, infrastructure, action, commit, ref, trigger, List.of());
        }

        /**
         * The state machine's input, the same from every launcher ({@code statemachine/reconcile.asl.json}
         * reads each field, so all are always present): {@code action} as the {@link RunAction} name,
         * {@code stages} comma-joined (empty: every stage).
         */
        public Map<String, String> executionInput() {
            var input = new LinkedHashMap<String, String>();
            input.put("infrastructure", infrastructure);
            input.put("action", action.name());
            input.put("commit", commit);
            input.put("ref", ref);
            input.put("trigger", trigger);
            input.put("name", name);
            input.put("stages", String.join(",", stages));
            return input;
        }
    }

    /** @param alreadyStarted true when a run of that name existed, so nothing new was started */
    record Launched(String name, String executionId, boolean alreadyStarted) {
    }

    Launched launch(RunRequest request);

    /**
     * Stops the run of that name if it is still running ({@code StopExecution} in AWS; its Finish
     * then records the run and releases the lock).
     *
     * @param cause who cancelled and why, for the run's record (never a secret)
     * @return false when no run of that name is running (unknown, or already ended)
     */
    boolean cancel(String name, String cause);
}
