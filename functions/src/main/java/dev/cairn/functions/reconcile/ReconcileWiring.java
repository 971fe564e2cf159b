package dev.cairn.functions.reconcile;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import dev.cairn.aws.approval.DynamoApprovalStore;
import dev.cairn.notify.slack.SlackNotifier;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.store.ThreadStore;
import dev.cairn.reconciler.store.local.LocalThreadStore;
import dev.cairn.aws.secrets.CachedSecrets;
import dev.cairn.aws.secrets.WebhookSecrets;
import dev.cairn.aws.store.AwsStores;
import dev.cairn.functions.GitMirror;
import dev.cairn.reconciler.approval.local.LocalApprovalStore;
import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.store.BlobStore;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Builds {@link ReconcileTasks} from an environment map: the DynamoDB/S3 stores of
 * {@code CAIRN_TABLE}/{@code CAIRN_BUCKET} ({@link AwsStores}) when the table is named, else the
 * local stores of {@code CAIRN_STATE_DIR} (default {@code ./.cairn}), approvals in its
 * {@code approvals/} ({@link LocalApprovalStore}, the Slack app's local store; {@code cairn serve} resumes the run). Approvals go to {@link DynamoApprovalStore}, which the
 * Slack app answers through {@code SfnRunResumer} (error {@code Rejected}). Prepare reads the
 * repository {@code CAIRN_REPO_URL} (a private one with the token of the secret
 * {@code CAIRN_GIT_TOKEN_NAME}) through the git cache {@code CAIRN_GIT_CACHE_DIR} (default: the
 * webhook's); {@code CAIRN_APPROVAL_TIMEOUT_SECONDS} (default 86400) bounds an approval's wait.
 * The run threads go to Slack through {@link #notifier} (threads kept in the table, or under
 * {@code threads/} of the state dir).
 */
final class ReconcileWiring {
    static final String APPROVAL_TIMEOUT = "CAIRN_APPROVAL_TIMEOUT_SECONDS";
    static final String REPO_URL = "CAIRN_REPO_URL";
    static final String SLACK_BOT_TOKEN = "CAIRN_SLACK_BOT_TOKEN";
    static final String SLACK_API_URL = "CAIRN_SLACK_API_URL";

    private ReconcileWiring() {
    }

    static ReconcileTasks tasks(Map<String, String> env) {
        var timeout = Duration.ofSeconds(Long.parseLong(env.getOrDefault(APPROVAL_TIMEOUT, "86400").strip()));
        var table = env.get(AwsStores.TABLE);
        if (table != null && !table.isBlank()) {
            var stores = AwsStores.fromEnv(env);
            var approvals = new DynamoApprovalStore(stores.dynamo(), stores.table());
            return new ReconcileTasks(stores.runs(), stores.outputs(), stores.locks(), stores.blobs(), planner(env, stores.blobs()), approvals,
                    notifier(env, stores.threads(), stores.blobs()), timeout, Clock.systemUTC());
        }
        var workspace = new Workspace(Path.of(env.getOrDefault("CAIRN_STATE_DIR", ".cairn")));
        // the Slack app's local approval store (ChatopsWiring.local): cairn serve resumes the run from its answers
        var approvals = new LocalApprovalStore(workspace.root().resolve("approvals"));
        return new ReconcileTasks(workspace.runs(), workspace.outputs(), workspace.locks(), workspace.blobs(), planner(env, workspace.blobs()), approvals,
                notifier(env, new LocalThreadStore(workspace.root().resolve("threads")), workspace.blobs()), timeout, Clock.systemUTC());
    }

    /**
     * The run threads in Slack when a bot token is configured ({@value #SLACK_BOT_TOKEN}, which wins,
     * else the Secrets Manager secret {@value #SLACK_BOT_TOKEN}{@code _NAME}, read on the first
     * message); {@value #SLACK_API_URL} moves the Web API (tests). Each run's channel and events
     * come from its manifest at the run's commit ({@code spec.notifications.slack}, saved by
     * Prepare beside the run); no channel, no Slack call. No token: no notifier. A preview's
     * comment says whether merging asks for approval from the same saved policy.
     */
    static RunNotifier notifier(Map<String, String> env, ThreadStore threads, BlobStore blobs) {
        var graphs = new RunGraphs(blobs);
        return dev.cairn.functions.pr.PreviewWiring.notifier(env, slackNotifier(env, threads, blobs), new dev.cairn.functions.pr.MergeLinks(threads),
                run -> {
                    // the policy of the run's manifest, as Prepare saved it beside the run
                    var planned = graphs.load(run.infrastructure(), run.id());
                    return planned.graph().stages().stream().anyMatch(stage -> planned.policy(stage).approval());
                });
    }

    private static RunNotifier slackNotifier(Map<String, String> env, ThreadStore threads, BlobStore blobs) {
        var token = env.get(SLACK_BOT_TOKEN);
        var tokenName = env.get(SLACK_BOT_TOKEN + "_NAME");
        if (blank(token) && blank(tokenName)) return RunNotifier.NONE;
        var config = new SlackConfig();
        var apiUrl = env.get(SLACK_API_URL);
        if (!blank(apiUrl)) config.setMethodsEndpointUrlPrefix(apiUrl.strip().endsWith("/") ? apiUrl.strip() : apiUrl.strip() + "/");
        var slack = Slack.getInstance(config);
        var secrets = blank(token) ? CachedSecrets.secretsManager(() -> secretsManager(env), Duration.ofMinutes(5)) : null;
        Supplier<MethodsClient> client = () -> slack.methods(blank(token) ? secrets.get(tokenName.strip()) : token.strip());
        var graphs = new RunGraphs(blobs);
        var targets = new ConcurrentHashMap<String, Optional<SlackNotifier.Target>>();
        Function<Run, SlackNotifier.Target> targetOf = run -> {
            if (targets.size() > 1000) targets.clear(); // a warm container serves many runs; this is only a cache
            return targets.computeIfAbsent(run.infrastructure() + "/" + run.id(),
                    k -> Optional.ofNullable(SlackNotifier.Target.of(graphs.load(run.infrastructure(), run.id()).notifications()))).orElse(null);
        };
        var runLinks = dev.cairn.functions.pr.RunLinks.fromEnv(env);
        return new SlackNotifier(client, threads, targetOf, SlackNotifier.DEFAULT_INTERVAL, Clock.systemUTC(),
                new SlackNotifier.Links(runLinks::of, run -> dev.cairn.functions.pr.RunLinks.pullRequest(env, run)));
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
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
        return new RepoStagePlanner(mirror, url.strip(), dev.cairn.reconciler.manifest.RepoPath.fromEnv(env),
                Path.of(System.getProperty("java.io.tmpdir"), "cairn-reconcile"), blobs);
    }

    /** Region, endpoint and credentials from the map ({@code cairn invoke} passes a template's), else the SDK's defaults. */
    private static SecretsManagerClient secretsManager(Map<String, String> env) {
        return new dev.cairn.aws.AwsClients(env).build(SecretsManagerClient.builder());
    }
}
