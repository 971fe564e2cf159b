package dev.cairn.functions.pr;

import dev.cairn.functions.pr.github.GitHubApi;
import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.run.Redactor;

import java.util.Map;
import java.util.Optional;

/**
 * The forge clients of previews, from the environment: {@value #GITHUB_TOKEN} (a token allowed to
 * write issues/pull-request comments and commit statuses) and {@value #GITHUB_API_URL} (another
 * API base: GitHub Enterprise, tests). No token: previews still run, nothing is posted.
 * Preview runs never go to the other notifiers (the Slack threads).
 */
public final class PreviewWiring {
    public static final String GITHUB_TOKEN = "CAIRN_GITHUB_TOKEN";
    public static final String GITHUB_API_URL = "CAIRN_GITHUB_API_URL";

    private PreviewWiring() {
    }

    /** The GitHub client, or empty without a token. */
    public static Optional<GitHubApi> github(Map<String, String> env) {
        var token = env.get(GITHUB_TOKEN);
        if (token == null || token.isBlank()) return Optional.empty();
        return Optional.of(new GitHubApi(env.get(GITHUB_API_URL), () -> Optional.of(token.strip())));
    }

    /** {@code others} wrapped so that preview runs are told to their PR (when a token is set) and kept out of {@code others}. */
    public static RunNotifier notifier(Map<String, String> env, RunNotifier others) {
        var github = github(env);
        var token = github.isEmpty() ? null : env.get(GITHUB_TOKEN).strip();
        return new PreviewNotifier(others, github.orElse(null), () -> {
            var redactor = new Redactor();
            if (token != null) redactor.add(token);
            return redactor;
        });
    }
}
