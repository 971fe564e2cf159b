package dev.cairn.functions;

import dev.cairn.aws.AwsClients;
import dev.cairn.reconciler.launch.QueuedRunLauncher;
import dev.cairn.aws.launch.SfnRunLauncher;
import dev.cairn.aws.secrets.CachedSecrets;
import dev.cairn.aws.store.DynamoAuditLog;
import dev.cairn.aws.store.DynamoDeliveryStore;
import dev.cairn.aws.store.DynamoRevisionStore;
import dev.cairn.aws.secrets.WebhookSecrets;
import dev.cairn.reconciler.change.ChangeDetector;
import dev.cairn.functions.pr.PullRequestFlow;
import dev.cairn.reconciler.launch.RunLauncher;
import dev.cairn.reconciler.manifest.RepoPath;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.store.AuditLog;
import dev.cairn.reconciler.store.DeliveryStore;
import dev.cairn.reconciler.store.RevisionStore;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Builds the webhook from an environment map: AWS when {@value #TABLE} is set (DynamoDB stores,
 * Step Functions launcher), else the embedded local mode (stores under {@value #STATE_DIR},
 * default {@code ./.cairn}, and a launcher that records runs without starting them). Changes are
 * detected under {@code CAIRN_REPO_PATH} (the folder holding {@code cairn.yaml}; default the root).
 */
final class WebhookWiring {
    static final String TABLE = "CAIRN_TABLE";
    static final String STATE_DIR = "CAIRN_STATE_DIR";
    static final String REPO_URL = "CAIRN_REPO_URL";
    static final String GIT_CACHE_DIR = "CAIRN_GIT_CACHE_DIR";
    static final String GIT_USERNAME = "CAIRN_GIT_USERNAME";
    static final String SECRETS_TTL_SECONDS = "CAIRN_SECRETS_TTL_SECONDS";

    record Stores(DeliveryStore deliveries, RevisionStore revisions, AuditLog audit, RunLauncher launcher, dev.cairn.reconciler.store.ThreadStore threads) {
    }

    private WebhookWiring() {
    }

    static WebhookService service(Map<String, String> env) {
        var aws = new AwsClients(env);
        var ttl = Duration.ofSeconds(Long.parseLong(env.getOrDefault(SECRETS_TTL_SECONDS, "300")));
        Supplier<SecretsManagerClient> client = () -> aws.build(SecretsManagerClient.builder());
        var inAws = !blank(env.get(TABLE));
        if (inAws && Arrays.stream(WebhookSecrets.Kind.values()).anyMatch(k -> !blank(env.get(k.nameVariable())))) {
            // a secret is named: build the client at init, where SnapStart snapshots it (the values are read per
            // request). Locally (cairn invoke without --stack) it is built on first use, so that a name the
            // template gives but no region can serve fails only the requests that need it.
            var built = client.get();
            client = () -> built;
        }
        var secrets = new WebhookSecrets(env, CachedSecrets.secretsManager(client, ttl));
        var stores = inAws ? aws(env, aws) : local(env);
        var cache = blank(env.get(GIT_CACHE_DIR)) ? GitMirror.defaultCacheDir() : Path.of(env.get(GIT_CACHE_DIR));
        var mirror = new GitMirror(cache, () -> secrets.get(WebhookSecrets.Kind.GIT_TOKEN),
                env.getOrDefault(GIT_USERNAME, "x-access-token"));
        var repoUrl = Optional.ofNullable(env.get(REPO_URL)).filter(u -> !u.isBlank()).map(String::strip);
        repoUrl.ifPresent(GitMirror::checkedUri);
        var repoPath = RepoPath.fromEnv(env);
        var flow = new PushFlow(stores.deliveries(), stores.revisions(), stores.audit(), stores.launcher(),
                new ChangeDetector(repoPath), mirror, repoUrl, Clock.systemUTC());
        var pullRequests = new PullRequestFlow(stores.deliveries(), stores.audit(), stores.launcher(),
                new ChangeDetector(repoPath), mirror, repoUrl, Clock.systemUTC(), dev.cairn.functions.pr.PreviewWiring.forges(env, secrets),
                new dev.cairn.functions.pr.MergeLinks(stores.threads()));
        return new WebhookService(secrets, flow, pullRequests);
    }

    /** The embedded default: the local stores of {@code CAIRN_STATE_DIR}, runs recorded under its {@code queue/}. */
    static Stores local(Map<String, String> env) {
        var workspace = new Workspace(Path.of(blank(env.get(STATE_DIR)) ? ".cairn" : env.get(STATE_DIR)));
        return new Stores(workspace.deliveries(), workspace.revisions(), workspace.audit(),
                new QueuedRunLauncher(workspace.root().resolve("queue")),
                new dev.cairn.reconciler.store.local.LocalThreadStore(workspace.root().resolve("threads")));
    }

    /**
     * AWS: the DynamoDB stores of {@code CAIRN_TABLE} (the same classes {@code AwsStores} holds; the
     * webhook needs neither the bucket nor KMS, so it builds only the DynamoDB client) and Step
     * Functions executions on {@code CAIRN_STATE_MACHINE_ARN}.
     */
    static Stores aws(Map<String, String> env, AwsClients clients) {
        var table = env.get(TABLE).strip();
        var launcher = SfnRunLauncher.fromEnv(clients.build(SfnClient.builder()), env);
        var dynamo = clients.build(DynamoDbClient.builder());
        return new Stores(new DynamoDeliveryStore(dynamo, table), new DynamoRevisionStore(dynamo, table),
                new DynamoAuditLog(dynamo, table), launcher, new dev.cairn.aws.store.DynamoThreadStore(dynamo, table));
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
