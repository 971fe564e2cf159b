package dev.cairn.functions.pr;

import dev.cairn.functions.pr.github.GitHubApi;
import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.run.Redactor;

import java.util.Map;
import java.util.Optional;

/**
 * The forge clients of previews, from the environment: {@value #GITHUB_TOKEN} (a token allowed to
 * write issues/pull-request comments and commit statuses) and {@value #GITHUB_API_URL} (another
 * API base: GitHub Enterprise, tests), and the same {@value #GITLAB_TOKEN} / {@value #GITLAB_API_URL}
 * for GitLab (a token with the {@code api} scope). No token: previews still run, nothing is posted.
 * Preview runs never go to the other notifiers (the Slack threads).
 */
public final class PreviewWiring {
    public static final String GITHUB_TOKEN = "CAIRN_GITHUB_TOKEN";
    public static final String GITHUB_API_URL = "CAIRN_GITHUB_API_URL";
    public static final String GITLAB_TOKEN = "CAIRN_GITLAB_TOKEN";
    public static final String GITLAB_API_URL = "CAIRN_GITLAB_API_URL";

    private PreviewWiring() {
    }

    /** The GitHub client, or empty without a token. */
    public static Optional<GitHubApi> github(Map<String, String> env) {
        var token = env.get(GITHUB_TOKEN);
        if (token == null || token.isBlank()) return Optional.empty();
        return Optional.of(new GitHubApi(env.get(GITHUB_API_URL), () -> Optional.of(token.strip())));
    }

    /** The GitLab client, or empty without a token. */
    public static Optional<ForgeApi> gitlab(Map<String, String> env) {
        var token = env.get(GITLAB_TOKEN);
        if (token == null || token.isBlank()) return Optional.empty();
        return Optional.of(new dev.cairn.functions.pr.gitlab.GitLabApi(env.get(GITLAB_API_URL), () -> Optional.of(token.strip())));
    }

    /** The client of {@code source} ({@code github}, {@code gitlab}), or empty. */
    public static Map<String, ForgeApi> forges(Map<String, String> env) {
        var forges = new java.util.HashMap<String, ForgeApi>();
        github(env).ifPresent(g -> forges.put("github", g));
        gitlab(env).ifPresent(g -> forges.put("gitlab", g));
        return Map.copyOf(forges);
    }

    /** {@code others} wrapped so that preview runs are told to their PR (when a token is set) and kept out of {@code others}. */
    public static RunNotifier notifier(Map<String, String> env, RunNotifier others) {
        return notifier(env, others, null);
    }

    /** The same, telling a merged PR's comments the result of the merge commit's apply run ({@code links}; null: not told). */
    public static RunNotifier notifier(Map<String, String> env, RunNotifier others, MergeLinks links) {
        var tokens = java.util.stream.Stream.of(env.get(GITHUB_TOKEN), env.get(GITLAB_TOKEN))
                .filter(t -> t != null && !t.isBlank()).map(String::strip).toList();
        return new PreviewNotifier(others, github(env).orElse(null), gitlab(env).orElse(null), () -> {
            var redactor = new Redactor();
            tokens.forEach(redactor::add);
            return redactor;
        }, links);
    }
}
