package dev.cairn.aws.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A moto server (the AWS emulator: S3, DynamoDB, KMS, Step Functions, CloudFormation, ...) on a free
 * loopback port, shared by one test class. Fails loudly when
 * moto is not installed: the tests that need it are never skipped.
 */
public final class MotoServer implements AwsEmulator {
    private final Process process;
    private final String endpoint;

    private MotoServer(Process process, String endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    /**
     * moto's own server, answering requests in parallel. Each request is handled on its own thread
     * without a lock around it, so two concurrent DynamoDB conditional writes can both succeed:
     * use {@link #startSerialized} to test atomicity.
     */
    public static MotoServer start(Path logFile) throws IOException, InterruptedException {
        return start(logFile, false);
    }

    /**
     * moto answering one request at a time (connections are still accepted in parallel), so that
     * a conditional write is atomic as DynamoDB guarantees; two separate requests (a read, then a
     * write) still interleave with other clients' requests, so read-then-write races stay visible.
     */
    public static MotoServer startSerialized(Path logFile) throws IOException, InterruptedException {
        return start(logFile, true);
    }

    /** moto's {@code moto.server} main, with every request under one lock. */
    private static final String SERIALIZED = """
            import os, sys, threading
            from werkzeug.serving import run_simple
            from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
            host, port = sys.argv[1], int(sys.argv[2])
            os.environ.setdefault("MOTO_PORT", str(port))
            app = DomainDispatcherApplication(create_backend_app)
            lock = threading.Lock()
            def serialized(environ, start_response):
                with lock:
                    return list(app(environ, start_response))
            run_simple(host, port, serialized, threaded=True)
            """;

    private static MotoServer start(Path logFile, boolean serialized) throws IOException, InterruptedException {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        var command = serialized
                ? java.util.List.of("python3", "-c", SERIALIZED, "127.0.0.1", String.valueOf(port))
                : java.util.List.of("python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String.valueOf(port));
        var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile());
        // the EKS roles attach AWS managed policies, which moto knows only when asked to load them
        builder.environment().put("MOTO_IAM_LOAD_MANAGED_POLICIES", "true");
        var process = builder.start();
        var endpoint = "http://127.0.0.1:" + port;
        var client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto server exited with " + process.exitValue()
                        + "; is moto[server] 5.x installed for python3? (bash .ci/run installs it). Log: " + logFile);
            }
            try {
                var response = client.send(HttpRequest.newBuilder(URI.create(endpoint + "/moto-api/")).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() < 500) return new MotoServer(process, endpoint);
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("moto server did not answer on " + endpoint + " within 60 s. Log: " + logFile);
    }

    public String endpoint() {
        return endpoint;
    }

    /** GET on the emulator, e.g. an S3 listing (path-style, moto needs no signature). */
    public String get(String path) throws IOException, InterruptedException {
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(endpoint + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
