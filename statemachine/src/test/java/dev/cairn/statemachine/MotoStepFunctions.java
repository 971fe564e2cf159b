package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * moto's Step Functions with its ASL interpreter switched on, started by the test as
 * {@code python3 -m moto.server} on a free loopback port; spoken to in the Step Functions JSON
 * protocol (moto checks no signatures). Each run resets moto first: moto 5.2.1 can answer a second
 * StartExecution on one server with HTTP 500.
 */
final class MotoStepFunctions implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final Process process;
    private final String endpoint;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Final status, output (SUCCEEDED) and error name (FAILED). */
    record Outcome(String status, JsonNode output, String error, String cause) {
    }

    private MotoStepFunctions(Process process, String endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    static MotoStepFunctions start(Path log) throws IOException, InterruptedException {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process process = new ProcessBuilder(List.of("python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String.valueOf(port)))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        MotoStepFunctions moto = new MotoStepFunctions(process, "http://127.0.0.1:" + port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto server exited with " + process.exitValue() + "; is moto[server] 5.x installed"
                        + " for python3? Log: " + log);
            }
            try {
                moto.post("/moto-api/reset", "{}");
                return moto;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("moto did not answer on " + moto.endpoint + " within 60 s. Log: " + log);
    }

    Outcome run(String definition, String input, Duration timeout) throws IOException, InterruptedException {
        post("/moto-api/reset", "{}");
        post("/moto-api/config", "{\"stepfunctions\": {\"execute_state_machine\": true}}");
        JsonNode machine = call("CreateStateMachine", JSON.createObjectNode().put("name", "corpus").put("definition", definition)
                .put("roleArn", "arn:aws:iam::123456789012:role/corpus"));
        JsonNode execution = call("StartExecution", JSON.createObjectNode()
                .put("stateMachineArn", machine.get("stateMachineArn").asText()).put("input", input));
        ObjectNode describe = JSON.createObjectNode().put("executionArn", execution.get("executionArn").asText());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode d = call("DescribeExecution", describe);
            String status = d.get("status").asText();
            if (!status.equals("RUNNING")) {
                return new Outcome(status, d.hasNonNull("output") ? output(d.get("output").asText()) : null,
                        d.hasNonNull("error") ? d.get("error").asText() : null, d.path("cause").asText(null));
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("moto's execution still RUNNING after " + timeout);
            Thread.sleep(50);
        }
    }

    /** moto 5.2.1 returns a top-level string result unquoted ({@code yes}, not {@code "yes"}); AWS returns JSON text. */
    private static JsonNode output(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException notJson) {
            return JSON.getNodeFactory().textNode(text);
        }
    }

    private JsonNode call(String action, JsonNode body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint + "/"))
                .header("Content-Type", "application/x-amz-json-1.0")
                .header("X-Amz-Target", "AWSStepFunctions." + action)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/states/aws4_request,"
                        + " SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("moto " + action + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private void post(String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(endpoint + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) throw new IllegalStateException("moto " + path + ": HTTP " + response.statusCode());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
