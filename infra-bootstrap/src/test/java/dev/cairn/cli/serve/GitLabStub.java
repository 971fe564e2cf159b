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
 * A local stand-in for the GitLab REST (v4) calls previews make, under {@code /api/v4/},
 * recording every call: merge request notes (list, create, edit; ids from 100), commit statuses
 * and a merge request's own read. The project is addressed by its URL-encoded path
 * ({@code acme%2Finfra}), as GitLab has it. Answers as GitLab does (JSON, 201 on create).
 */
final class GitLabStub {
    static final String TOKEN = "glpat-serveItTokenNeverInABody";
    static final String PROJECT = "/api/v4/projects/acme%2Finfra/";

    private HttpServer server;
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<String> tokens = new CopyOnWriteArrayList<>();
    private final Map<Long, ObjectNode> notes = new ConcurrentHashMap<>();
    private final Map<Long, Long> mergeRequestOf = new ConcurrentHashMap<>();
    private final Map<String, List<JsonNode>> statuses = new ConcurrentHashMap<>();
    private final Map<Long, String> heads = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(99);

    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    void stop() {
        if (server != null) server.stop(0);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v4";
    }

    List<String> calls() {
        return List.copyOf(calls);
    }

    List<String> bodies() {
        return List.copyOf(bodies);
    }

    /** The {@code PRIVATE-TOKEN} header of every call ("null" when absent). */
    List<String> tokens() {
        return List.copyOf(tokens);
    }

    List<JsonNode> statuses(String commit) {
        return List.copyOf(statuses.getOrDefault(commit, List.of()));
    }

    /** The bodies of merge request {@code iid}'s notes, oldest first. */
    List<String> notes(long iid) {
        return notes.keySet().stream().sorted().filter(id -> mergeRequestOf.get(id) == iid)
                .map(id -> notes.get(id).path("body").asText()).toList();
    }

    /** Merge request {@code iid} is open at {@code head} (what {@code GET merge_requests/IID} answers). */
    void mergeRequest(long iid, String head) {
        heads.put(iid, head);
    }

    private synchronized void handle(HttpExchange exchange) throws IOException {
        var method = exchange.getRequestMethod();
        var path = exchange.getRequestURI().getRawPath();
        var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        calls.add(method + " " + path);
        if (!body.isEmpty()) bodies.add(body);
        tokens.add(String.valueOf(exchange.getRequestHeaders().getFirst("PRIVATE-TOKEN")));
        try {
            if (!path.startsWith(PROJECT)) {
                answer(exchange, 404, Json.MAPPER.createObjectNode().put("message", "404 Project Not Found"));
                return;
            }
            var rest = path.substring(PROJECT.length());
            var parts = rest.split("/");
            if (method.equals("GET") && rest.matches("merge_requests/\\d+/notes")) {
                long iid = Long.parseLong(parts[1]);
                ArrayNode list = Json.MAPPER.createArrayNode();
                var query = String.valueOf(exchange.getRequestURI().getQuery());
                if (query.matches("(.*&)?page=1(&.*)?")) {
                    notes.keySet().stream().sorted().filter(id -> mergeRequestOf.get(id) == iid).forEach(id -> list.add(notes.get(id)));
                }
                answer(exchange, 200, list);
            } else if (method.equals("POST") && rest.matches("merge_requests/\\d+/notes")) {
                var id = ids.incrementAndGet();
                var note = Json.MAPPER.createObjectNode().put("id", id).put("body", Json.MAPPER.readTree(body).path("body").asText());
                notes.put(id, note);
                mergeRequestOf.put(id, Long.parseLong(parts[1]));
                answer(exchange, 201, note);
            } else if (method.equals("PUT") && rest.matches("merge_requests/\\d+/notes/\\d+")) {
                var note = notes.get(Long.parseLong(parts[3]));
                if (note == null || mergeRequestOf.get(Long.parseLong(parts[3])) != Long.parseLong(parts[1])) {
                    answer(exchange, 404, Json.MAPPER.createObjectNode().put("message", "404 Not found"));
                    return;
                }
                note.put("body", Json.MAPPER.readTree(body).path("body").asText());
                answer(exchange, 200, note);
            } else if (method.equals("POST") && rest.matches("statuses/[0-9a-f]{40}")) {
                statuses.computeIfAbsent(parts[1], k -> new CopyOnWriteArrayList<>()).add(Json.MAPPER.readTree(body));
                answer(exchange, 201, Json.MAPPER.readTree(body));
            } else if (method.equals("GET") && rest.matches("merge_requests/\\d+")) {
                var head = heads.get(Long.parseLong(parts[1]));
                if (head == null) {
                    answer(exchange, 404, Json.MAPPER.createObjectNode().put("message", "404 Not found"));
                    return;
                }
                answer(exchange, 200, Json.MAPPER.createObjectNode().put("iid", Long.parseLong(parts[1])).put("state", "opened")
                        .put("sha", head).put("source_branch", "feature").put("target_branch", "main")
                        .put("source_project_id", 15).put("target_project_id", 15));
            } else {
                answer(exchange, 404, Json.MAPPER.createObjectNode().put("message", "404 Not found"));
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
