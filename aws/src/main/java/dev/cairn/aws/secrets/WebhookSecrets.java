package dev.cairn.aws.secrets;

import java.util.Map;
import java.util.Optional;

/**
 * Where each secret the webhook needs comes from: an environment variable holding the value (local
 * use; it takes precedence), else a Secrets Manager secret named by another variable (AWS, names
 * given as template Parameters). Neither set means not configured: callers fail closed.
 */
public final class WebhookSecrets {
    /** A secret's two variables: the value itself, or the name of a Secrets Manager secret. */
    public enum Kind {
        GITHUB_WEBHOOK_SECRET("CAIRN_GITHUB_WEBHOOK_SECRET"),
        GITLAB_WEBHOOK_TOKEN("CAIRN_GITLAB_WEBHOOK_TOKEN"),
        GIT_TOKEN("CAIRN_GIT_TOKEN"),
        /** Plan previews' GitHub token (PR comments, commit statuses); template parameter GitHubTokenSecretName. */
        GITHUB_TOKEN("CAIRN_GITHUB_TOKEN", "CAIRN_GITHUB_TOKEN_SECRET"),
        /** Plan previews' GitLab token (scope {@code api}: MR notes, commit statuses); template parameter GitLabTokenSecretName. */
        GITLAB_TOKEN("CAIRN_GITLAB_TOKEN", "CAIRN_GITLAB_TOKEN_SECRET");

        private final String valueVariable;
        private final String nameVariable;

        Kind(String valueVariable) {
            this(valueVariable, valueVariable + "_NAME");
        }

        Kind(String valueVariable, String nameVariable) {
            this.valueVariable = valueVariable;
            this.nameVariable = nameVariable;
        }

        public String valueVariable() {
            return valueVariable;
        }

        /** The variable naming the Secrets Manager secret (its name or ARN). */
        public String nameVariable() {
            return nameVariable;
        }
    }

    private final Map<String, String> env;
    private final CachedSecrets secretsManager;

    public WebhookSecrets(Map<String, String> env, CachedSecrets secretsManager) {
        this.env = env;
        this.secretsManager = secretsManager;
    }

    /**
     * @return the value, or empty when neither variable is set
     * @throws CachedSecrets.SecretUnavailableException when a secret is named but cannot be read
     */
    public Optional<String> get(Kind kind) {
        var value = env.get(kind.valueVariable());
        if (value != null && !value.isEmpty()) return Optional.of(value);
        var name = env.get(kind.nameVariable());
        if (name == null || name.isBlank()) return Optional.empty();
        var stored = secretsManager.get(name.strip());
        return stored.isEmpty() ? Optional.empty() : Optional.of(stored);
    }

    /** For messages: which variables would configure {@code kind}. */
    public static String howToConfigure(Kind kind) {
        return "set " + kind.valueVariable() + " (local use) or " + kind.nameVariable() + " (a Secrets Manager secret name)";
    }
}
