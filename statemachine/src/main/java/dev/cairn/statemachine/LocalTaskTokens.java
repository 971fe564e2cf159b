package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** Task tokens of one {@link LocalExecutions}: 256 random bits each, answered once. */
final class LocalTaskTokens implements TaskTokens {
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    String issue() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        pending.put(token, new CompletableFuture<>());
        return token;
    }

    CompletableFuture<JsonNode> answer(String token) {
        CompletableFuture<JsonNode> answer = pending.get(token);
        if (answer == null) throw new IllegalStateException("token not issued");
        return answer;
    }

    /** The task stopped waiting (answered, timed out or aborted): the token is no longer valid. */
    void retire(String token) {
        pending.remove(token);
    }

    @Override
    public void succeed(String token, JsonNode output) {
        if (output == null) throw new IllegalArgumentException("SendTaskSuccess needs an output (JSON), got none");
        if (!take(token).complete(output.deepCopy())) throw answered();
    }

    @Override
    public void fail(String token, String error, String cause) {
        if (!take(token).completeExceptionally(new TaskFailure(error == null ? "" : error, cause))) throw answered();
    }

    @Override
    public Set<String> pending() {
        return pending.entrySet().stream().filter(e -> !e.getValue().isDone()).map(java.util.Map.Entry::getKey)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    private CompletableFuture<JsonNode> take(String token) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            throw new IllegalArgumentException("InvalidToken: a task token is 1-128 of A-Z a-z 0-9 _ -");
        }
        CompletableFuture<JsonNode> answer = pending.get(token);
        if (answer == null || answer.isDone()) throw answered();
        return answer;
    }

    private static IllegalArgumentException answered() {
        return new IllegalArgumentException("TaskDoesNotExist: no task waits for this token (unknown, already answered, timed out or stopped)");
    }
}
