package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Set;

/**
 * The local counterpart of {@code SendTaskSuccess}/{@code SendTaskFailure}: the executor issues a
 * token per waiting task; whoever holds it answers once. Tokens match {@code [A-Za-z0-9_-]{1,128}}.
 * Thread-safe. An unknown or already answered token is refused with {@link IllegalArgumentException}
 * (AWS: {@code TaskDoesNotExist}/{@code InvalidToken}).
 */
public interface TaskTokens {

    void succeed(String token, JsonNode output);

    void fail(String token, String error, String cause);

    /** Tokens issued and not yet answered, timed out or cancelled. */
    Set<String> pending();
}
