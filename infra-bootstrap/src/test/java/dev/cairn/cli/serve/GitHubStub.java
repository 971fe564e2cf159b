package dev.cairn.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cairn.reconciler.manifest.Json;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local stand-in for the three GitHub REST calls previews make, recording every call: issue
 * comments (list, create, edit; ids from 1) and commit statuses. Answers as GitHub does (JSON,
 * 201 on create), nothing more.
 */
final class GitHubStub {
    static final String TOKEN = "ghp_previewItTokenNeverInABody";

    private HttpServer server;
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final Map<Long, ObjectNode> comments = new ConcurrentHashMap<>();
    private final Map<Long, Long> issueOf = new ConcurrentHashMap<>();
    private final Map<String, List<JsonNode>> statuses = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    void stop() {
        if (server != null) server.stop(0);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    List<String> calls() {
        return List.copyOf(calls);
    }

    List<String> bodies() {
        return List.copyOf(bodies);
    }

    List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    List<JsonNode> statuses(String commit) {
        return List.copyOf(statuses.getOrDefault(commit, List.of()));
    }

    /** The body of the comment on issue {@code number} holding {@code marker}. */
    String comment(long number, String marker) {
        return comments.entrySet().stream().filter(e -> issueOf.get(e.getKey()) == number)
                .map(e -> e.getValue().path("body").asText()).filter(b -> b.contains(marker)).findFirst()
                .orElseThrow(() -> new AssertionError("no comment with " + marker + " on #" + number + ": " + calls));
    }

    private synchronized void handle(HttpExchange exchange) throws IOException {
        var method = exchange.getRequestMethod();
        var path = exchange.getRequestURI().getPath();
        var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        calls.add(method + " " + path);
        if (!body.isEmpty()) bodies.add(body);
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        var parts = path.split("/");
        try {
            if (method.equals("GET") && path.matches("/repos/[^/]+/[^/]+/issues/\\d+/comments")) {
                long number = Long.parseLong(parts[5]);
                ArrayNode list = Json.MAPPER.createArrayNode();
                var query = String.valueOf(exchange.getRequestURI().getQuery());
                var page = query.matches("(.*&)?page=1(&.*)?") ? 1 : 2;
                if (page == 1) comments.keySet().stream().sorted().filter(id -> issueOf.get(id) == number).forEach(id -> list.add(comments.get(id)));
                answer(exchange, 200, list);
            } else if (method.equals("POST") && path.matches("/repos/[^/]+/[^/]+/issues/\\d+/comments")) {
                var id = ids.incrementAndGet();
                var comment = Json.MAPPER.createObjectNode().put("id", id).put("body", Json.MAPPER.readTree(body).path("body").asText());
                comments.put(id, comment);
                issueOf.put(id, Long.parseLong(parts[5]));
                answer(exchange, 201, comment);
            } else if (method.equals("PATCH") && path.matches("/repos/[^/]+/[^/]+/issues/comments/\\d+")) {
                var id = Long.parseLong(parts[6]);
                var comment = comments.get(id);
                if (comment == null) {
                    answer(exchange, 404, Json.MAPPER.createObjectNode().put("message", "Not Found"));
                    return;
                }
                comment.put("body", Json.MAPPER.readTree(body).path("body").asText());
                answer(exchange, 200, comment);
            } else if (method.equals("POST") && path.matches("/repos/[^/]+/[^/]+/statuses/[0-9a-f]{40}")) {
                statuses.computeIfAbsent(parts[5], k -> new CopyOnWriteArrayList<>()).add(Json.MAPPER.readTree(body));
                answer(exchange, 201, Json.MAPPER.readTree(body));
            } else {
                answer(exchange, 404, Json.MAPPER.createObjectNode().put("message", "Not Found"));
            }
        } catch (RuntimeException e) {
            answer(exchange, 500, Json.MAPPER.createObjectNode().put("message", e.toString()));
        }
    }

    private static void answer(HttpExchange exchange, int status, JsonNode body) throws IOException {
        var bytes = Json.MAPPER.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

}
