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
        GIT_TOKEN("CAIRN_GIT_TOKEN");

        private final String valueVariable;

        Kind(String valueVariable) {
            this.valueVariable = valueVariable;
        }

        public String valueVariable() {
            return valueVariable;
        }

        public String nameVariable() {
            return valueVariable + "_NAME";
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
