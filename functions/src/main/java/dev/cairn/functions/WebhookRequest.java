package dev.cairn.functions;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An HTTP request as the webhook sees it, whatever carried it (API Gateway, {@code cairn serve}).
 * Header names are case-insensitive.
 *
 * @param body          the body as received, or {@code null}
 * @param base64Encoded whether {@code body} is base64 (API Gateway's {@code isBase64Encoded})
 */
public record WebhookRequest(String method, String path, Map<String, String> headers, String body, boolean base64Encoded) {

    public WebhookRequest {
        method = method == null ? "" : method.toUpperCase(Locale.ROOT);
        path = path == null ? "" : path;
        var folded = new TreeMap<String, String>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) headers.forEach((k, v) -> {
            if (k != null && v != null) folded.put(k, v);
        });
        headers = folded;
    }

    /** The header's value, or {@code null}; names match whatever their case. */
    public String header(String name) {
        return headers.get(name);
    }
}
