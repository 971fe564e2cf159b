package dev.cairn.functions;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the webhook answers: an HTTP status and a small JSON object. {@code outcome} says what
 * Cairn decided (started, duplicate, ignored, pong, refused, error); the body never holds a secret
 * or the request body.
 */
public record WebhookResponse(int status, Map<String, Object> body) {

    public static WebhookResponse of(int status, String outcome, String message) {
        var body = new LinkedHashMap<String, Object>();
        body.put("outcome", outcome);
        if (message != null) body.put("message", message);
        return new WebhookResponse(status, body);
    }

    public String outcome() {
        return String.valueOf(body.get("outcome"));
    }
}
