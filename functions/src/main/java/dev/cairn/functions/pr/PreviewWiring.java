package dev.cairn.functions.pr;

import dev.cairn.aws.AwsClients;
import dev.cairn.aws.secrets.CachedSecrets;
import dev.cairn.aws.secrets.WebhookSecrets;
import dev.cairn.functions.pr.github.GitHubApi;
import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.run.Redactor;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The forge clients of previews, from the environment. A token comes either as the value itself,
 * {@value #GITHUB_TOKEN} / {@value #GITLAB_TOKEN} (local use, {@code cairn serve}), or from Secrets
 * Manager, {@value #GITHUB_TOKEN_SECRET} / {@value #GITLAB_TOKEN_SECRET} naming the secret (AWS: the
 * template's GitHubTokenSecretName / GitLabTokenSecretName; read on first use, cached, re-read after
 * {@code CAIRN_SECRETS_TTL_SECONDS}, default 300). GitHub's token needs to write pull request/issue
 * comments and commit statuses; GitLab's the {@code api} scope. {@value #GITHUB_API_URL} and
 * {@value #GITLAB_API_URL} give another API base (GitHub Enterprise, self-managed GitLab, tests).
 * No token: previews still run, nothing is posted. Preview runs never go to the other notifiers
 * (the Slack threads). Every token value is taught to the notifier's redactor. {@value RunLinks#RUN_URL}
 * links each comment to the run's full log ({@link RunLinks}).
 */
public final class PreviewWiring {
    public static final String GITHUB_TOKEN = "CAIRN_GITHUB_TOKEN";
    public static final String GITHUB_TOKEN_SECRET = "CAIRN_GITHUB_TOKEN_SECRET";
    public static final String GITHUB_API_URL = "CAIRN_GITHUB_API_URL";
    public static final String GITLAB_TOKEN = "CAIRN_GITLAB_TOKEN";
    public static final String GITLAB_TOKEN_SECRET = "CAIRN_GITLAB_TOKEN_SECRET";
    public static final String GITLAB_API_URL = "CAIRN_GITLAB_API_URL";
    static final String SECRETS_TTL_SECONDS = "CAIRN_SECRETS_TTL_SECONDS";

    private PreviewWiring() {
    }

    /** The tokens' source for {@code env}: its values, else Secrets Manager (a client built on first use, from the same environment). */
    public static WebhookSecrets secrets(Map<String, String> env) {
        var ttl = Duration.ofSeconds(Long.parseLong(env.getOrDefault(SECRETS_TTL_SECONDS, "300").strip()));
        var aws = new AwsClients(env);
        return new WebhookSecrets(env, CachedSecrets.secretsManager(() -> aws.build(SecretsManagerClient.builder()), ttl));
    }

    /** The GitHub client, or empty without a token. */
    public static Optional<GitHubApi> github(Map<String, String> env) {
        return github(env, secrets(env));
    }

    /** The GitHub client with its token from {@code secrets} (read when the first call is made), or empty when none is configured. */
    public static Optional<GitHubApi> github(Map<String, String> env, WebhookSecrets secrets) {
        if (!configured(env, WebhookSecrets.Kind.GITHUB_TOKEN)) return Optional.empty();
        return Optional.of(new GitHubApi(env.get(GITHUB_API_URL), token(secrets, WebhookSecrets.Kind.GITHUB_TOKEN)));
    }

    /** The GitLab client with its token from {@code secrets}, or empty when none is configured. */
    public static Optional<ForgeApi> gitlab(Map<String, String> env, WebhookSecrets secrets) {
        if (!configured(env, WebhookSecrets.Kind.GITLAB_TOKEN)) return Optional.empty();
        return Optional.of(new dev.cairn.functions.pr.gitlab.GitLabApi(env.get(GITLAB_API_URL), token(secrets, WebhookSecrets.Kind.GITLAB_TOKEN)));
    }

    /** The client of {@code source} ({@code github}, {@code gitlab}), or empty. */
    public static Map<String, ForgeApi> forges(Map<String, String> env) {
        return forges(env, secrets(env));
    }

    /** As {@link #forges(Map)}, the tokens from {@code secrets} (the webhook's own, one client and cache). */
    public static Map<String, ForgeApi> forges(Map<String, String> env, WebhookSecrets secrets) {
        var forges = new java.util.HashMap<String, ForgeApi>();
        github(env, secrets).ifPresent(g -> forges.put("github", g));
        gitlab(env, secrets).ifPresent(g -> forges.put("gitlab", g));
        return Map.copyOf(forges);
    }

    /** {@code others} wrapped so that preview runs are told to their PR (when a token is set) and kept out of {@code others}. */
    public static RunNotifier notifier(Map<String, String> env, RunNotifier others) {
        return notifier(env, others, secrets(env), null);
    }

    /** The same, telling a merged PR's comments the result of the merge commit's apply run ({@code links}; null: not told). */
    public static RunNotifier notifier(Map<String, String> env, RunNotifier others, MergeLinks links) {
        return notifier(env, others, secrets(env), links);
    }

    /** As {@link #notifier(Map, RunNotifier, MergeLinks)}, the tokens from {@code secrets}. */
    public static RunNotifier notifier(Map<String, String> env, RunNotifier others, WebhookSecrets secrets, MergeLinks links) {
        return notifier(env, others, secrets, links, run -> false);
    }

    /** The same; {@code approvalAsked}: whether a run's infrastructure asks for approval before applying (its comment says so). */
    public static RunNotifier notifier(Map<String, String> env, RunNotifier others, MergeLinks links,
                                       java.util.function.Predicate<dev.cairn.reconciler.run.Run> approvalAsked) {
        return notifier(env, others, secrets(env), links, approvalAsked);
    }

    private static RunNotifier notifier(Map<String, String> env, RunNotifier others, WebhookSecrets secrets, MergeLinks links,
                                        java.util.function.Predicate<dev.cairn.reconciler.run.Run> approvalAsked) {
        var kinds = List.of(WebhookSecrets.Kind.GITHUB_TOKEN, WebhookSecrets.Kind.GITLAB_TOKEN);
        return new PreviewNotifier(others, github(env, secrets).orElse(null), gitlab(env, secrets).orElse(null), () -> {
            var redactor = new Redactor();
            for (var kind : kinds) {
                if (!configured(env, kind)) continue;
                try {
                    secrets.get(kind).map(String::strip).ifPresent(redactor::add);
                } catch (CachedSecrets.SecretUnavailableException unreadable) {
                    // a token that cannot be read is never sent either: nothing of it to redact
                }
            }
            return redactor;
        }, links, RunLinks.fromEnv(env), approvalAsked);
    }

    private static boolean configured(Map<String, String> env, WebhookSecrets.Kind kind) {
        return notBlank(env.get(kind.valueVariable())) || notBlank(env.get(kind.nameVariable()));
    }

    private static java.util.function.Supplier<Optional<String>> token(WebhookSecrets secrets, WebhookSecrets.Kind kind) {
        return () -> secrets.get(kind).map(String::strip).filter(t -> !t.isEmpty());
    }

    private static boolean notBlank(String value) {
        return value != null && !value.isBlank();
    }
}
