package dev.cairn.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.reconciler.RepoFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** The checked-in {@code events/*.json}, read as API Gateway v2 events, edited and re-signed by tests. */
final class TestEvents {
    /** The documented test secret the checked-in events are signed with (events/README.md). */
    static final String SECRET = "cairn-dev-webhook-secret";
    static final ObjectMapper JSON = new ObjectMapper();

    private TestEvents() {
    }

    static Path file(String name) {
        return RepoFiles.checkoutRoot().resolve("events").resolve(name);
    }

    static JsonNode tree(String name) {
        try {
            return JSON.readTree(file(name).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The event as stored. */
    static APIGatewayV2HTTPEvent load(String name) {
        return toEvent(tree(name));
    }

    /**
     * The event with its body edited by {@code edit} and signed again for {@link #SECRET}
     * (GitHub: the HMAC header; GitLab: the token stays).
     */
    static APIGatewayV2HTTPEvent edited(String name, Consumer<ObjectNode> edit) {
        var tree = (ObjectNode) tree(name);
        try {
            var body = (ObjectNode) JSON.readTree(tree.get("body").asText());
            edit.accept(body);
            var text = JSON.writeValueAsString(body);
            tree.put("body", text);
            var headers = (ObjectNode) tree.get("headers");
            if (headers.has("x-hub-signature-256")) {
                headers.put("x-hub-signature-256", WebhookSignatures.githubSignature(SECRET, text.getBytes(StandardCharsets.UTF_8)));
            }
            return toEvent(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static APIGatewayV2HTTPEvent toEvent(JsonNode tree) {
        var headers = new LinkedHashMap<String, String>();
        tree.get("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        var http = tree.path("requestContext").path("http");
        return APIGatewayV2HTTPEvent.builder()
                .withVersion(tree.path("version").asText())
                .withRouteKey(tree.path("routeKey").asText())
                .withRawPath(tree.path("rawPath").asText())
                .withRawQueryString(tree.path("rawQueryString").asText())
                .withHeaders(headers)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId(tree.path("requestContext").path("requestId").asText())
                        .withRouteKey(tree.path("requestContext").path("routeKey").asText())
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod(http.path("method").asText()).withPath(http.path("path").asText()).build())
                        .build())
                .withBody(tree.path("body").isNull() ? null : tree.path("body").asText())
                .withIsBase64Encoded(tree.path("isBase64Encoded").asBoolean(false))
                .build();
    }

    /** A copy of {@code event} with one header set (or removed when {@code value} is null). */
    static APIGatewayV2HTTPEvent withHeader(APIGatewayV2HTTPEvent event, String name, String value) {
        var headers = new LinkedHashMap<>(event.getHeaders());
        if (value == null) headers.remove(name);
        else headers.put(name, value);
        return copy(event, headers, event.getBody(), event.getIsBase64Encoded());
    }

    static APIGatewayV2HTTPEvent withBody(APIGatewayV2HTTPEvent event, String body, boolean base64) {
        return copy(event, event.getHeaders(), body, base64);
    }

    private static APIGatewayV2HTTPEvent copy(APIGatewayV2HTTPEvent event, Map<String, String> headers, String body, boolean base64) {
        return APIGatewayV2HTTPEvent.builder().withVersion(event.getVersion()).withRouteKey(event.getRouteKey())
                .withRawPath(event.getRawPath()).withRawQueryString(event.getRawQueryString()).withHeaders(headers)
                .withRequestContext(event.getRequestContext()).withBody(body).withIsBase64Encoded(base64).build();
    }
}
