package dev.cairn.functions.reconcile;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cairn.aws.store.AwsStores;
import dev.cairn.aws.store.Tables;
import dev.cairn.aws.testing.MotoServer;
import dev.cairn.functions.pr.PreviewWiring;
import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On AWS (the DynamoDB/S3 stores on moto) a preview's run record keeps the Step Functions
 * execution that runs it, as Prepare gets it from the state machine ({@code $$.Execution.Id}), through
 * every later write; with no {@code CAIRN_RUN_URL} the PR comment (posted to a recording stand-in
 * for GitHub's API) links that execution's page in the Step Functions console; and a record
 * stored before the field existed still loads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunLinkAwsIT {
    static final String EXECUTION = "arn:aws:states:eu-west-1:123456789012:execution:cairn-reconcile:dev-plan-0d1a26e67d8f-pr7";
    static final String BASE = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
    static final String HEAD = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";

    MotoServer moto;
    AwsStores stores;
    HttpServer github;
    final List<String> comments = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        moto = MotoServer.startSerialized(tmp.resolve("moto.log"));
        stores = AwsStores.fromEnv(Map.of("AWS_ENDPOINT_URL", moto.endpoint(), "AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", "test",
                "AWS_SECRET_ACCESS_KEY", "test", AwsStores.TABLE, "cairn-runlink", AwsStores.BUCKET, "cairn-runlink-blobs"));
        Tables.create(stores.dynamo(), "cairn-runlink");
        stores.s3().createBucket(b -> b.bucket("cairn-runlink-blobs").createBucketConfiguration(c -> c.locationConstraint("eu-west-1")));
        github = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        github.createContext("/", this::handle);
        github.start();
    }

    @AfterAll
    void stop() {
        if (github != null) github.stop(0);
        if (stores != null) stores.close();
        if (moto != null) moto.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        var method = exchange.getRequestMethod();
        var path = exchange.getRequestURI().getRawPath();
        var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String answer = "{}";
        int status = 201;
        if (method.equals("GET") && path.equals("/repos/acme/infra/issues/7/comments")) {
            answer = "[]";
            status = 200;
        } else if (method.equals("POST") && path.equals("/repos/acme/infra/issues/7/comments")) {
            comments.add(body);
            answer = "{\"id\": 41}";
        } else if (!(method.equals("POST") && path.startsWith("/repos/acme/infra/statuses/"))) {
            answer = "{\"message\": \"Not Found\"}";
            status = 404;
        }
        var bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Test
    void thePreviewRecordKeepsItsExecutionAndTheCommentLinksItsConsolePage() {
        var env = Map.of(PreviewWiring.GITHUB_TOKEN, "ghp_runlink0123456789", PreviewWiring.GITHUB_API_URL,
                "http://127.0.0.1:" + github.getAddress().getPort());
        var notifier = PreviewWiring.notifier(env, RunNotifier.NONE, null);
        var function = new ReconcileTaskFunction(new ReconcileTasks(stores.runs(), stores.outputs(), stores.locks(), stores.blobs(),
                request -> ReconcileTaskScenarios.diamond(false), null, notifier, Duration.ofHours(1), Clock.systemUTC()));
        var runId = (String) ReconcileTaskScenarios.call(function, "prepare", "action", "PLAN", "commit", HEAD,
                "trigger", Previews.trigger("github", "acme/infra#7", BASE), "executionArn", EXECUTION).get("runId");
        assertThat(stores.runs().get("dev", runId).orElseThrow().executionArn()).isEqualTo(EXECUTION);

        // every stage planned (a later write of the record), then Finish
        for (var stage : List.of("backend", "network", "domain", "app_db")) {
            var run = stores.runs().get("dev", runId).orElseThrow();
            stores.runs().put(run.withStage(run.stage(stage).withPlan(new PlanSummary(1, 0, 0, List.of(), List.of())).with(StageStatus.PLANNED)));
        }
        assertThat(ReconcileTaskScenarios.call(function, "finish", "executionArn", EXECUTION)).containsEntry("status", "SUCCEEDED");
        var stored = stores.runs().get("dev", runId).orElseThrow();
        assertThat(stored.version()).isGreaterThan(4);
        assertThat(stored.executionArn()).as("kept through every write").isEqualTo(EXECUTION);

        assertThat(comments).hasSize(1);
        assertThat(comments.getFirst()).contains("Full log: [run `" + runId + "`](https://eu-west-1.console.aws.amazon.com/states/home"
                + "?region=eu-west-1#/v2/executions/details/" + EXECUTION + ")");
    }

    @Test
    void aRunStoredBeforeTheFieldExistedStillLoads() {
        var item = new HashMap<String, AttributeValue>();
        item.put("pk", AttributeValue.fromS("INFRA#prod"));
        item.put("sk", AttributeValue.fromS("RUN#20261101T000000Z-0123ab"));
        item.put("kind", AttributeValue.fromS("run"));
        item.put("version", AttributeValue.fromN("2"));
        item.put("status", AttributeValue.fromS("SUCCEEDED"));
        item.put("run", AttributeValue.fromS("{\"id\":\"20261101T000000Z-0123ab\",\"infrastructure\":\"prod\",\"action\":\"APPLY\","
                + "\"status\":\"SUCCEEDED\",\"trigger\":\"github:push d-0\",\"revision\":\"abc\",\"startedAt\":\"2026-11-01T00:00:00Z\","
                + "\"finishedAt\":\"2026-11-01T00:05:00Z\",\"waves\":[],\"stages\":{},\"error\":null,\"version\":2}"));
        stores.dynamo().putItem(b -> b.tableName("cairn-runlink").item(item));
        var run = stores.runs().get("prod", "20261101T000000Z-0123ab").orElseThrow();
        assertThat(run.version()).isEqualTo(2);
        assertThat(run.executionArn()).isNull();
    }
}
