package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.Optional;

/**
 * One attempt of a Task state.
 *
 * @param executionId the execution's ARN-shaped id ({@code $$.Execution.Id})
 * @param state       the Task state's name
 * @param resource    its Resource, verbatim
 * @param parameters  the effective parameters (after InputPath and Parameters)
 * @param taskToken   the token, for {@code .waitForTaskToken} resources
 * @param timeout     the state's TimeoutSeconds(Path), if any; the executor enforces it too
 */
public record TaskCall(String executionId, String state, String resource, JsonNode parameters, Optional<String> taskToken,
                       Optional<Duration> timeout) {
}
