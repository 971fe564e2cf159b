package dev.cairn.functions.schedule;

import dev.cairn.aws.AwsClients;
import dev.cairn.aws.launch.SfnRunLauncher;
import dev.cairn.aws.secrets.CachedSecrets;
import dev.cairn.aws.secrets.WebhookSecrets;
import dev.cairn.aws.store.DynamoAuditLog;
import dev.cairn.aws.store.DynamoLockStore;
import dev.cairn.aws.store.DynamoRevisionStore;
import dev.cairn.aws.store.DynamoRunStore;
import dev.cairn.functions.GitMirror;
import dev.cairn.reconciler.change.ChangeDetector;
import dev.cairn.reconciler.launch.QueuedRunLauncher;
import dev.cairn.reconciler.run.Workspace;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Builds the scheduled reconcile from an environment map, like the webhook: AWS when
 * {@code CAIRN_TABLE} is set (DynamoDB revisions, runs, locks and audit; Step Functions on
 * {@code CAIRN_STATE_MACHINE_ARN}), else the local stores of {@code CAIRN_STATE_DIR} (default
 * {@code ./.cairn}) with a {@link QueuedRunLauncher} that records runs without starting them.
 * {@code CAIRN_REPO_URL} (required) is fetched through the webhook's git cache
 * ({@code CAIRN_GIT_CACHE_DIR}, a private repo's token from {@code CAIRN_GIT_TOKEN[_NAME]});
 * {@code CAIRN_SCHEDULE_RATE} (the template's rate expression, default {@code rate(1 hour)}) sets
 * the window runs are named by.
 */
final class ScheduleWiring {
    static final String RATE = "CAIRN_SCHEDULE_RATE";
    static final String DEFAULT_RATE = "rate(1 hour)";

    private ScheduleWiring() {
    }

    static ScheduleFlow flow(Map<String, String> env) {
        var url = env.get("CAIRN_REPO_URL");
        if (blank(url)) throw new IllegalStateException("CAIRN_REPO_URL is not set: the schedule needs the infrastructure repository to fetch");
        GitMirror.checkedUri(url.strip());
        var detector = new ChangeDetector(dev.cairn.reconciler.manifest.RepoPath.fromEnv(env));
        var window = ScheduleWindow.parse(blank(env.get(RATE)) ? DEFAULT_RATE : env.get(RATE));
        var aws = new AwsClients(env);
        var secrets = new WebhookSecrets(env, CachedSecrets.secretsManager(() -> aws.build(SecretsManagerClient.builder()), Duration.ofMinutes(5)));
        var cache = env.get("CAIRN_GIT_CACHE_DIR");
        var mirror = new GitMirror(blank(cache) ? GitMirror.defaultCacheDir() : Path.of(cache),
                () -> secrets.get(WebhookSecrets.Kind.GIT_TOKEN), env.getOrDefault("CAIRN_GIT_USERNAME", "x-access-token"));
        var table = env.get("CAIRN_TABLE");
        if (!blank(table)) {
            var dynamo = aws.build(DynamoDbClient.builder());
            var name = table.strip();
            return new ScheduleFlow(new DynamoRevisionStore(dynamo, name), new DynamoRunStore(dynamo, name), new DynamoLockStore(dynamo, name),
                    new DynamoAuditLog(dynamo, name), SfnRunLauncher.fromEnv(aws.build(SfnClient.builder()), env),
                    detector, mirror, url.strip(), window, Clock.systemUTC());
        }
        var workspace = new Workspace(Path.of(blank(env.get("CAIRN_STATE_DIR")) ? ".cairn" : env.get("CAIRN_STATE_DIR")));
        return new ScheduleFlow(workspace.revisions(), workspace.runs(), workspace.locks(), workspace.audit(),
                new QueuedRunLauncher(workspace.root().resolve("queue")), detector, mirror, url.strip(), window, Clock.systemUTC());
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
