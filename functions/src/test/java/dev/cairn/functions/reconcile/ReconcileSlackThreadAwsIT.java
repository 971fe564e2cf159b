package dev.cairn.functions.reconcile;

import dev.cairn.aws.AwsClients;
import dev.cairn.aws.store.AwsStores;
import dev.cairn.aws.store.Tables;
import dev.cairn.aws.testing.MotoServer;
import dev.cairn.notify.slack.testing.SlackWebApi;
import dev.cairn.reconciler.bundle.BundleKeys;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The run thread in the task function's AWS wiring, on moto: the bot token from Secrets Manager
 * ({@code CAIRN_SLACK_BOT_TOKEN_NAME}), the thread in the DynamoDB table (item
 * {@code THREAD#run}), the manifest's channel from the repo at the run's commit.
 */
class ReconcileSlackThreadAwsIT {
    static final String EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:cairn-reconcile:dev-run-aws";

    @TempDir
    Path tmp;
    MotoServer moto;
    SlackWebApi api;
    AwsStores stores;
    Map<String, String> env;
    String commit;

    @BeforeEach
    void start() throws Exception {
        moto = MotoServer.startSerialized(tmp.resolve("moto.log"));
        api = new SlackWebApi();
        var bare = tmp.resolve("origin.git");
        commit = ReconcileSlackThreadIT.pushQuickstartWithChannel(tmp, bare);
        env = new HashMap<>(Map.of("AWS_ENDPOINT_URL", moto.endpoint(), "AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "test",
                "AWS_SECRET_ACCESS_KEY", "test", AwsStores.TABLE, "cairn-thread", AwsStores.BUCKET, "cairn-thread-blobs"));
        env.putAll(Map.of("CAIRN_REPO_URL", bare.toUri().toString(), "CAIRN_GIT_CACHE_DIR", tmp.resolve("git-cache").toString(),
                "CAIRN_SLACK_BOT_TOKEN_NAME", "cairn/slack-bot-token", "CAIRN_SLACK_API_URL", api.url()));
        stores = AwsStores.fromEnv(env);
        Tables.create(stores.dynamo(), "cairn-thread");
        stores.s3().createBucket(b -> b.bucket("cairn-thread-blobs"));
        try (var secrets = new AwsClients(env).build(SecretsManagerClient.builder())) {
            secrets.createSecret(b -> b.name("cairn/slack-bot-token").secretString("xoxb-from-secrets-manager"));
        }
    }

    @AfterEach
    void stop() {
        if (api != null) api.close();
        if (stores != null) stores.close();
        if (moto != null) moto.close();
    }

    private Map<String, Object> step(String task, Object... pairs) {
        return ReconcileTaskScenarios.call(new ReconcileTaskFunction(env), task, pairs);
    }

    @Test
    void aRunOfOneStageIsOneThreadKeptInTheTablePostedWithTheSecretsToken() throws Exception {
        var runId = (String) step("prepare", "action", "APPLY", "commit", commit, "trigger", "slack:U0OPERATOR", "stages", "backend",
                "executionArn", EXECUTION).get("runId");
        assertThat(ReconcileTaskScenarios.started(step("next", "runId", runId))).containsExactly("backend");
        step("render", "runId", runId, "stage", "backend");
        stores.blobs().put(BundleKeys.result("dev", runId, "backend"), ReconcileSlackThreadIT.reportBytes(runId, "backend", "apply",
                StageStatus.APPLIED, ReconcileSlackThreadIT.changes("backend")));
        step("record", "runId", runId, "stage", "backend");
        assertThat(step("next", "runId", runId)).containsEntry("done", true);
        assertThat(step("finish", "executionArn", EXECUTION)).containsEntry("status", "SUCCEEDED");

        var calls = api.appCalls();
        assertThat(calls).isNotEmpty().allSatisfy(c -> {
            assertThat(c.authorization()).isEqualTo("Bearer xoxb-from-secrets-manager");
            SlackWebApi.assertWithinBlockKitLimits(c);
        });
        assertThat(calls.stream().map(SlackWebApi.Call::method)).startsWith("chat.postMessage").endsWith("chat.postMessage").contains("chat.update");
        assertThat(calls.getLast().form()).containsEntry("thread_ts", "1733000000.000100");
        var thread = stores.threads().get("dev", runId).orElseThrow();
        assertThat(thread.channel()).isEqualTo(SlackWebApi.CHANNEL_ID);
        assertThat(thread.ts()).isEqualTo("1733000000.000100");
        assertThat(thread.version()).isEqualTo(stores.runs().get("dev", runId).orElseThrow().version());
        assertThat(List.of(thread.expiresAt())).allSatisfy(t -> assertThat(t).isAfter(java.time.Instant.now().plus(java.time.Duration.ofDays(29))));
    }
}
