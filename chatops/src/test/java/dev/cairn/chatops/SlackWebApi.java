package dev.cairn.chatops;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A local Slack Web API that answers every method {@code ok} and records each call (method, form body). */
final class SlackWebApi implements AutoCloseable {
    record Call(String method, String body) {
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    SlackWebApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/", exchange -> {
            var method = exchange.getRequestURI().getPath().substring("/api/".length());
            calls.add(new Call(method, new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            var answer = switch (method) {
                case "auth.test" -> "{\"ok\":true,\"user_id\":\"UBOT\",\"team_id\":\"T0CAIRN\",\"bot_id\":\"B1\"}";
                case "usergroups.list" -> "{\"ok\":true,\"usergroups\":[]}";
                default -> "{\"ok\":true,\"channel\":\"C0INFRA\",\"ts\":\"1733000000.000100\"}";
            };
            var bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/";
    }

    List<String> methods() {
        return calls.stream().map(Call::method).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
