package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a Task state's {@code Resource} does, plugged in by the caller ({@code cairn serve}:
 * {@code lambda:invoke} → the handler class in-process, {@code codebuild:startBuild.sync} →
 * {@code cairn stage} as a process). The executor resolves an integration by the resource with any
 * {@code .waitForTaskToken}/{@code .sync} suffix kept, so each pattern is registered explicitly.
 *
 * <p>For {@code .waitForTaskToken} the executor issues the token (in {@link TaskCall#taskToken()}
 * and in the context object as {@code $$.Task.Token}), calls the integration, discards its result
 * and waits on {@link TaskTokens} for the answer, bounded by the state's timeout.
 */
@FunctionalInterface
public interface TaskIntegration {

    /**
     * @return the task's result (what AWS returns: for {@code lambda:invoke}
     *         {@code {"Payload": ..., "StatusCode": 200}})
     * @throws TaskFailure the task failed with that error name (matched by Retry/Catch)
     */
    JsonNode run(TaskCall call) throws TaskFailure, InterruptedException;
}
