package dev.cairn.chatops;

import dev.cairn.aws.AwsClients;
import dev.cairn.aws.approval.DynamoApprovalStore;
import dev.cairn.aws.approval.SfnRunResumer;
import dev.cairn.aws.launch.SfnRunLauncher;
import dev.cairn.aws.secrets.CachedSecrets;
import dev.cairn.aws.store.DynamoAuditLog;
import dev.cairn.aws.store.DynamoDeliveryStore;
import dev.cairn.aws.store.DynamoLockStore;
import dev.cairn.aws.store.DynamoOutputStore;
import dev.cairn.aws.store.DynamoRunStore;
import dev.cairn.reconciler.approval.local.LocalApprovalStore;
import dev.cairn.reconciler.approval.local.LocalRunResumer;
import dev.cairn.reconciler.launch.RunLauncher;
import dev.cairn.reconciler.run.Workspace;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds the Slack app from an environment map (Lambda's, or a template's under {@code cairn invoke}):
 * <ul>
 *   <li>secrets: {@code CAIRN_SLACK_SIGNING_SECRET} / {@code CAIRN_SLACK_BOT_TOKEN} (local, win) else
 *       the Secrets Manager secrets named by {@code CAIRN_SLACK_SIGNING_SECRET_NAME} /
 *       {@code CAIRN_SLACK_BOT_TOKEN_NAME}; {@code CAIRN_SLACK_API_URL} moves the Web API;</li>
 *   <li>infrastructures: the checkout {@code CAIRN_REPO_DIR} (default {@code .}), or, when only
 *       {@code CAIRN_REPO_URL} is set, a clone of its branch {@code CAIRN_REPO_BRANCH} (default
 *       {@code main}) under {@code CAIRN_GIT_CACHE_DIR}, re-read (fetched) every
 *       {@code CAIRN_CATALOG_TTL_SECONDS} (default 30);</li>
 *   <li>stores: DynamoDB ({@code CAIRN_TABLE}, {@code CAIRN_KMS_KEY_ID}) with Step Functions
 *       ({@code CAIRN_STATE_MACHINE_ARN}) when {@code CAIRN_TABLE} is set, else the local stores of
 *       {@code CAIRN_STATE_DIR} (default {@code .cairn}) with a launcher that records runs under
 *       {@code queue/} and a resumer that answers under {@code approvals/answers/}.</li>
 * </ul>
 */
public final class ChatopsWiring {
    private static final class LoggerHolder {
        static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ChatopsWiring.class);
    }

    private ChatopsWiring() {
    }

    public static SlackApp app(Map<String, String> env, RunLauncher localLauncher, Clock clock) {
        var secrets = CachedSecrets.secretsManager(() -> client(env, SecretsManagerClient.builder()), Duration.ofMinutes(5));
        var signing = secret(env, "CAIRN_SLACK_SIGNING_SECRET", secrets);
        var token = secret(env, "CAIRN_SLACK_BOT_TOKEN", secrets);
        var ttl = Duration.ofSeconds(Long.parseLong(env.getOrDefault("CAIRN_CATALOG_TTL_SECONDS", "30")));
        var repoPath = dev.cairn.reconciler.manifest.RepoPath.fromEnv(env);
        Catalog catalog;
        if (!blank(env.get("CAIRN_REPO_URL")) && blank(env.get("CAIRN_REPO_DIR"))) {
            var cache = blank(env.get("CAIRN_GIT_CACHE_DIR")) ? Path.of(System.getProperty("java.io.tmpdir"), "cairn-git") : Path.of(env.get("CAIRN_GIT_CACHE_DIR"));
            var tokenName = env.get("CAIRN_GIT_TOKEN_NAME");
            var checkout = new GitCheckout(env.get("CAIRN_REPO_URL").strip(), env.getOrDefault("CAIRN_REPO_BRANCH", "main"),
                    cache.resolve("slack-checkout"), () -> blank(tokenName) ? java.util.Optional.empty() : java.util.Optional.of(secrets.get(tokenName.strip())));
            catalog = new Catalog(checkout.dir(), repoPath, checkout, ttl, clock);
        } else {
            catalog = new Catalog(Path.of(env.getOrDefault("CAIRN_REPO_DIR", ".")), repoPath, () -> { }, ttl, clock);
        }
        var stores = blank(env.get("CAIRN_TABLE")) ? local(env, localLauncher) : aws(env);
        var apiUrl = env.get("CAIRN_SLACK_API_URL");
        // read (or clone) the repo at init, where SnapStart snapshots it, while the Web API client builds its HTTP client (TLS)
        var catalogRead = java.util.concurrent.CompletableFuture.runAsync(catalog::view);
        var slack = com.slack.api.Slack.getInstance(apiConfig(apiUrl));
        Function<String, java.util.Set<String>> groups = user -> SlackApp.groups(slack.methods(token), user);
        var previews = previews(env, stores.launcher(), secrets);
        var app = new SlackApp(signing, token, slack, new InfraService(catalog, stores, groups, clock, previews), clock);
        try {
            catalogRead.join();
        } catch (java.util.concurrent.CompletionException e) {
            LoggerHolder.LOG.warn("the infrastructure repository cannot be read yet: {}", e.getCause().getMessage());
        }
        return app;
    }

    /**
     * {@code /infra plan INFRA --pr N}: the forge clients of {@code CAIRN_GITHUB_TOKEN} /
     * {@code CAIRN_GITLAB_TOKEN} (as the webhook's), the repository {@code CAIRN_REPO_URL}, and
     * bare clones under {@code CAIRN_GIT_CACHE_DIR} built on first use (its token
     * {@code CAIRN_GIT_TOKEN_NAME}, user {@code CAIRN_GIT_USERNAME}).
     */
    static PullRequestPreviews previews(Map<String, String> env, RunLauncher launcher, CachedSecrets secrets) {
        var repoUrl = java.util.Optional.ofNullable(env.get("CAIRN_REPO_URL")).filter(u -> !blank(u)).map(String::strip);
        var tokenName = env.get("CAIRN_GIT_TOKEN_NAME");
        java.util.function.Supplier<dev.cairn.functions.GitMirror> mirror = () -> new dev.cairn.functions.GitMirror(
                blank(env.get("CAIRN_GIT_CACHE_DIR")) ? dev.cairn.functions.GitMirror.defaultCacheDir() : Path.of(env.get("CAIRN_GIT_CACHE_DIR")),
                () -> blank(tokenName) ? java.util.Optional.empty() : java.util.Optional.of(secrets.get(tokenName.strip())),
                env.getOrDefault("CAIRN_GIT_USERNAME", "x-access-token"));
        return new PullRequestPreviews(env, repoUrl, dev.cairn.functions.pr.PreviewWiring.forges(env), mirror,
                new dev.cairn.reconciler.change.ChangeDetector(dev.cairn.reconciler.manifest.RepoPath.fromEnv(env)), launcher);
    }

    static com.slack.api.SlackConfig apiConfig(String apiUrl) {
        var config = new com.slack.api.SlackConfig();
        if (!blank(apiUrl)) config.setMethodsEndpointUrlPrefix(apiUrl.endsWith("/") ? apiUrl : apiUrl + "/");
        return config;
    }

    private static String secret(Map<String, String> env, String variable, CachedSecrets secrets) {
        if (!blank(env.get(variable))) return env.get(variable).strip();
        var name = env.get(variable + "_NAME");
        if (blank(name)) throw new IllegalStateException("set " + variable + " (local) or " + variable + "_NAME (a Secrets Manager secret)");
        return secrets.get(name.strip());
    }

    static InfraService.Stores local(Map<String, String> env, RunLauncher launcher) {
        var workspace = new Workspace(Path.of(blank(env.get("CAIRN_STATE_DIR")) ? ".cairn" : env.get("CAIRN_STATE_DIR")));
        var approvals = workspace.root().resolve("approvals");
        return new InfraService.Stores(workspace.runs(), workspace.outputs(), workspace.locks(), workspace.audit(),
                workspace.deliveries(), new LocalApprovalStore(approvals), launcher,
                new LocalRunResumer(approvals.resolve("answers")));
    }

    static InfraService.Stores aws(Map<String, String> env) {
        var table = env.get("CAIRN_TABLE").strip();
        var dynamo = client(env, DynamoDbClient.builder());
        var sfn = client(env, SfnClient.builder());
        var kmsKey = env.getOrDefault("CAIRN_KMS_KEY_ID", "");
        return new InfraService.Stores(new DynamoRunStore(dynamo, table),
                new DynamoOutputStore(dynamo, client(env, KmsClient.builder()), table, kmsKey), new DynamoLockStore(dynamo, table),
                new DynamoAuditLog(dynamo, table), new DynamoDeliveryStore(dynamo, table), new DynamoApprovalStore(dynamo, table),
                SfnRunLauncher.fromEnv(sfn, env), new SfnRunResumer(sfn));
    }

    static <B extends AwsClientBuilder<B, C> & SdkSyncClientBuilder<B, C>, C> C client(Map<String, String> env, B builder) {
        return new AwsClients(env).build(builder);
    }

    static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
