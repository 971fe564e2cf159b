package dev.cairn.functions.pr;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cairn.aws.AwsClients;
import dev.cairn.aws.testing.MotoServer;
import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The AWS way of giving previews their forge token: {@code CAIRN_GITHUB_TOKEN_SECRET} names a
 * secret in (moto's) Secrets Manager, and the preview notifier reads it there and sends it, in the
 * Authorization header only, to a local stand-in for GitHub's REST API; the value never appears
 * in a comment, a status or the process's output, even when a stage's error quotes it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PreviewTokenSecretAwsIT {
    static final String TOKEN = "github_pat_fromSecretsManager0123456789abcdef";
    static final String BASE = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
    static final String HEAD = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";

    MotoServer moto;
    HttpServer github;
    Map<String, String> env;
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        moto = MotoServer.start(tmp.resolve("moto.log"));
        env = new HashMap<>(Map.of("AWS_ENDPOINT_URL", moto.endpoint(), "AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "test",
                "AWS_SECRET_ACCESS_KEY", "test"));
        try (var secrets = new AwsClients(env).build(SecretsManagerClient.builder())) {
            secrets.createSecret(b -> b.name("cairn/github-token").secretString(TOKEN + "\n"));
        }
        github = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        github.createContext("/", this::handle);
        github.start();
        env.put(PreviewWiring.GITHUB_TOKEN_SECRET, "cairn/github-token");
        env.put(PreviewWiring.GITHUB_API_URL, "http://127.0.0.1:" + github.getAddress().getPort());
    }

    @AfterAll
    void stop() {
        if (github != null) github.stop(0);
        if (moto != null) moto.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        var method = exchange.getRequestMethod();
        var path = exchange.getRequestURI().getRawPath();
        calls.add(method + " " + path);
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (!body.isEmpty()) bodies.add(body);
        String answer;
        int status;
        if (method.equals("GET") && path.equals("/repos/acme/infra/issues/7/comments")) {
            answer = "[]";
            status = 200;
        } else if (method.equals("POST") && path.equals("/repos/acme/infra/issues/7/comments")) {
            answer = "{\"id\": 41}";
            status = 201;
        } else if (method.equals("PATCH") && path.equals("/repos/acme/infra/issues/comments/41")) {
            answer = "{\"id\": 41}";
            status = 200;
        } else if (method.equals("POST") && path.matches("/repos/acme/infra/statuses/[0-9a-f]{40}")) {
            answer = "{}";
            status = 201;
        } else {
            answer = "{\"message\": \"Not Found\"}";
            status = 404;
        }
        var bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    static Run preview(RunStatus status, StageResult stage) {
        var stages = new LinkedHashMap<String, StageResult>();
        stages.put(stage.stage(), stage);
        return new Run("20261202T020000Z-p" + HEAD.substring(0, 16), "dev", RunAction.PLAN, status,
                Previews.trigger("github", "acme/infra#7", BASE), HEAD, Instant.EPOCH, null, List.of(), stages, null, 1);
    }

    @Test
    void theTokenIsReadFromSecretsManagerAndSentOnlyAsTheAuthorizationHeader() {
        RunNotifier others = new RunNotifier() {
            public void runStarted(Run run) { }
            public void stageChanged(Run run, StageResult stage) { }
            public void approvalRequested(Run run, dev.cairn.reconciler.approval.ApprovalStore.Approval approval) { }
            public void runFinished(Run run, Map<String, StageOutputs> outputs) { }
            public void driftFound(Run run) { }
        };
        var captured = new ByteArrayOutputStream();
        var out = System.out;
        var err = System.err;
        System.setOut(new PrintStream(tee(out, captured), true));
        System.setErr(new PrintStream(tee(err, captured), true));
        try {
            var notifier = PreviewWiring.notifier(env, others);
            var planned = new StageResult("network", StageStatus.PLANNED, new PlanSummary(1, 0, 0,
                    List.of(new PlanSummary.ResourceChange("terraform_data.this", PlanSummary.Action.CREATE)), List.of()),
                    null, null, null, null, null, null, null, null, null, null);
            // a failing stage whose error quotes the token (a provider echoing its configuration)
            var failed = new StageResult("network", StageStatus.FAILED, null, "provider github: bad credentials " + TOKEN,
                    null, null, null, null, null, null, null, null, null);
            notifier.runStarted(preview(RunStatus.RUNNING, planned));
            notifier.runFinished(preview(RunStatus.FAILED, failed), Map.of());
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        assertThat(calls).contains("GET /repos/acme/infra/issues/7/comments", "POST /repos/acme/infra/issues/7/comments")
                .anyMatch(c -> c.equals("POST /repos/acme/infra/statuses/" + HEAD));
        // the secret's value (trailing newline stripped) on every call, as GitHub expects it
        assertThat(authorizations).isNotEmpty().allMatch(a -> a.equals("Bearer " + TOKEN));
        assertThat(bodies).isNotEmpty().noneMatch(b -> b.contains(TOKEN));
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain(TOKEN);
    }

    @Test
    void withoutTheSecretNamedNothingIsPosted() {
        var without = new HashMap<>(env);
        without.remove(PreviewWiring.GITHUB_TOKEN_SECRET);
        assertThat(PreviewWiring.github(without)).isEmpty();
        assertThat(PreviewWiring.forges(without)).isEmpty();
        assertThat(PreviewWiring.forges(env)).containsOnlyKeys("github");
    }

    private static OutputStream tee(OutputStream a, OutputStream b) {
        return new OutputStream() {
            @Override
            public void write(int c) throws IOException {
                a.write(c);
                b.write(c);
            }

            @Override
            public void write(byte[] bytes, int off, int len) throws IOException {
                a.write(bytes, off, len);
                b.write(bytes, off, len);
            }
        };
    }
}
