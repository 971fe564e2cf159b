package dev.cairn.notify.slack.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A local Slack Web API (what {@code CAIRN_SLACK_API_URL} points at in tests): it answers every
 * method {@code ok} and records each call (method, form body, when). {@code chat.postMessage}
 * answers channel {@value #CHANNEL_ID} and a new {@code ts} per message
 * ({@code 1733000000.000100}, {@code ...101}, ...), as Slack does.
 */
public final class SlackWebApi implements AutoCloseable {
    public static final String CHANNEL_ID = "C0INFRA";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param authorization the {@code Authorization} header (the bot token the client sent)
     * @param atNanos       {@link System#nanoTime()} when it arrived
     */
    public record Call(String method, String body, String authorization, long atNanos) {
        public Map<String, String> form() {
            return SlackWebApi.form(body);
        }
    }

    public final List<Call> calls = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final AtomicInteger posted = new AtomicInteger(100);

    public SlackWebApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/", exchange -> {
            var method = exchange.getRequestURI().getPath().substring("/api/".length());
            var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            calls.add(new Call(method, body, exchange.getRequestHeaders().getFirst("Authorization"), System.nanoTime()));
            var answer = switch (method) {
                case "auth.test" -> "{\"ok\":true,\"user_id\":\"UBOT\",\"team_id\":\"T0CAIRN\",\"bot_id\":\"B1\"}";
                case "usergroups.list" -> "{\"ok\":true,\"usergroups\":[]}";
                case "chat.postMessage" -> "{\"ok\":true,\"channel\":\"" + CHANNEL_ID + "\",\"ts\":\"1733000000.000" + posted.getAndIncrement() + "\"}";
                case "chat.update" -> "{\"ok\":true,\"channel\":\"" + CHANNEL_ID + "\",\"ts\":\"" + form(body).get("ts") + "\"}";
                default -> "{\"ok\":true}";
            };
            var bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    /** The base URL of the Web API methods, {@code http://127.0.0.1:PORT/api/}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/";
    }

    /** The calls of the app itself (the client's own {@code auth.test} for its rate limiter left out). */
    public List<Call> appCalls() {
        return calls.stream().filter(c -> !c.method().equals("auth.test")).toList();
    }

    public List<String> methods() {
        return calls.stream().map(Call::method).toList();
    }

    /** Every message within Block Kit's limits: 1 to 50 blocks, at most 3,000 characters a text. */
    public static void assertWithinBlockKitLimits(Call call) {
        var form = call.form();
        if (!form.containsKey("blocks")) return;
        try {
            var blocks = JSON.readTree(form.get("blocks"));
            assertThat(blocks.isArray()).as(call.method() + " blocks").isTrue();
            assertThat(blocks.size()).as(call.method() + " block count").isBetween(1, 50);
            blocks.findValues("text").forEach(t -> {
                if (t.isTextual()) assertThat(t.asText().length()).as(call.method() + " text length").isLessThanOrEqualTo(3000);
            });
        } catch (IOException e) {
            throw new AssertionError(call.method() + " sent blocks that are not JSON", e);
        }
        if (form.containsKey("text")) assertThat(form.get("text").length()).isLessThanOrEqualTo(3000);
    }

    public static Map<String, String> form(String body) {
        var map = new LinkedHashMap<String, String>();
        if (body == null || body.isEmpty()) return map;
        for (var pair : body.split("&")) {
            var eq = pair.indexOf('=');
            if (eq < 0) map.put(URLDecoder.decode(pair, StandardCharsets.UTF_8), "");
            else map.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return map;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
