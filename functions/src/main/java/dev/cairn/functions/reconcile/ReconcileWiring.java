package dev.cairn.functions.reconcile;

import dev.cairn.aws.approval.DynamoApprovalStore;
import dev.cairn.aws.secrets.CachedSecrets;
import dev.cairn.aws.secrets.WebhookSecrets;
import dev.cairn.aws.store.AwsStores;
import dev.cairn.functions.GitMirror;
import dev.cairn.reconciler.approval.local.LocalApprovalStore;
import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.store.BlobStore;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Builds {@link ReconcileTasks} from an environment map: the DynamoDB/S3 stores of
 * {@code CAIRN_TABLE}/{@code CAIRN_BUCKET} ({@link AwsStores}) when the table is named, else the
 * local stores of {@code CAIRN_STATE_DIR} (default {@code ./.cairn}), approvals in its
 * {@code approvals/} ({@link LocalApprovalStore}, the Slack app's local store; {@code cairn serve} resumes the run). Approvals go to {@link DynamoApprovalStore}, which the
 * Slack app answers through {@code SfnRunResumer} (error {@code Rejected}). Prepare reads the
 * repository {@code CAIRN_REPO_URL} (a private one with the token of the secret
 * {@code CAIRN_GIT_TOKEN_NAME}) through the git cache {@code CAIRN_GIT_CACHE_DIR} (default: the
 * webhook's); {@code CAIRN_APPROVAL_TIMEOUT_SECONDS} (default 86400) bounds an approval's wait.
 */
final class ReconcileWiring {
    static final String APPROVAL_TIMEOUT = "CAIRN_APPROVAL_TIMEOUT_SECONDS";
    static final String REPO_URL = "CAIRN_REPO_URL";

    private ReconcileWiring() {
    }

    static ReconcileTasks tasks(Map<String, String> env) {
        var timeout = Duration.ofSeconds(Long.parseLong(env.getOrDefault(APPROVAL_TIMEOUT, "86400").strip()));
        var table = env.get(AwsStores.TABLE);
        if (table != null && !table.isBlank()) {
            var stores = AwsStores.fromEnv(env);
            var approvals = new DynamoApprovalStore(stores.dynamo(), stores.table());
            return new ReconcileTasks(stores.runs(), stores.outputs(), stores.locks(), stores.blobs(), planner(env, stores.blobs()), approvals,
                    RunNotifier.NONE, timeout, Clock.systemUTC());
        }
        var workspace = new Workspace(Path.of(env.getOrDefault("CAIRN_STATE_DIR", ".cairn")));
        // the Slack app's local approval store (ChatopsWiring.local): cairn serve resumes the run from its answers
        var approvals = new LocalApprovalStore(workspace.root().resolve("approvals"));
        return new ReconcileTasks(workspace.runs(), workspace.outputs(), workspace.locks(), workspace.blobs(), planner(env, workspace.blobs()), approvals,
                RunNotifier.NONE, timeout, Clock.systemUTC());
    }

    private static StagePlanner planner(Map<String, String> env, BlobStore blobs) {
        var url = env.get(REPO_URL);
        if (url == null || url.isBlank()) {
            return request -> {
                throw new IllegalStateException(REPO_URL + " is not set: Prepare cannot read the repository of " + request.infrastructure());
            };
        }
        var secrets = new WebhookSecrets(env, CachedSecrets.secretsManager(() -> secretsManager(env), Duration.ofMinutes(5)));
        var cache = env.get("CAIRN_GIT_CACHE_DIR");
        var mirror = new GitMirror(cache == null || cache.isBlank() ? GitMirror.defaultCacheDir() : Path.of(cache),
                () -> secrets.get(WebhookSecrets.Kind.GIT_TOKEN), env.getOrDefault("CAIRN_GIT_USERNAME", "x-access-token"));
        return new RepoStagePlanner(mirror, url.strip(), Path.of(System.getProperty("java.io.tmpdir"), "cairn-reconcile"), blobs);
    }

    private static SecretsManagerClient secretsManager(Map<String, String> env) {
        var builder = SecretsManagerClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder());
        var region = env.getOrDefault("AWS_REGION", env.get("AWS_DEFAULT_REGION"));
        if (region != null && !region.isBlank()) builder.region(Region.of(region.strip()));
        var endpoint = env.get("AWS_ENDPOINT_URL");
        if (endpoint != null && !endpoint.isBlank()) builder.endpointOverride(URI.create(endpoint.strip()));
        return builder.build();
    }
}
