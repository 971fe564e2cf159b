package dev.cairn.chatops;

import dev.cairn.functions.GitMirror;
import dev.cairn.functions.pr.ForgeApi;
import dev.cairn.functions.pr.PreviewWiring;
import dev.cairn.functions.pr.PullRequestEvent;
import dev.cairn.functions.pr.PullRequestFlow;
import dev.cairn.reconciler.change.ChangeDetector;
import dev.cairn.reconciler.change.ChangeSet;
import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.reconciler.launch.RunLauncher;
import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.run.RunAction;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code /infra plan INFRA --pr N}: the preview the webhook would start for PR/MR N's current head.
 * The forge and repository come from {@code CAIRN_REPO_URL} (or {@value #FORGE_REPOSITORY}); the
 * PR's head, branches and fork-ness from the forge's API ({@link ForgeApi#pullRequest}); then what
 * {@link PullRequestFlow} does for a delivery: fetch base and head ({@code refs/pull/N/head} /
 * {@code refs/merge-requests/N/head}), read {@code cairn.yaml} at the base (tracked branch, the
 * fork rule {@link PullRequestFlow#forkRefusal}), detect changes from the merge base to the head
 * and start INFRA's preview with the webhook's trigger ({@link Previews#trigger}) and run name
 * ({@link PullRequestFlow#runName}), so that a delivery of the same head maps to the same run.
 * Every refusal is an {@link Outcome} whose message says what to do; nothing here throws for bad
 * input. The forge token never appears in a message.
 */
public final class PullRequestPreviews {
    /** Names the forge and repository when {@code CAIRN_REPO_URL} cannot ({@code file://} repos, other hosts). */
    public static final String FORGE_REPOSITORY = "CAIRN_FORGE_REPOSITORY";
    private static final Pattern GITHUB_REPO = Pattern.compile("[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}");
    private static final Pattern GITLAB_PROJECT = Pattern.compile("[A-Za-z0-9_.-]{1,255}(/[A-Za-z0-9_.-]{1,255}){1,20}");

    /** The forge ({@code github}, {@code gitlab}) and repository ({@code acme/infra}) the tracked repository lives on. */
    public record ForgeRepository(String source, String repository) {
        String label(long number) {
            return repository + (source.equals("gitlab") ? "!" : "#") + number;
        }

        String forgeName() {
            return source.equals("gitlab") ? "GitLab" : "GitHub";
        }
    }

    /**
     * What the command did.
     *
     * @param launched the preview started (or found already started), or null when nothing started
     * @param message  for people: what started and where its result appears, or why nothing did
     * @param details  for the audit log
     */
    public record Outcome(RunLauncher.Launched launched, String message, Map<String, String> details) {
        boolean started() {
            return launched != null;
        }
    }

    private final Map<String, String> env;
    private final Optional<String> repoUrl;
    private final Map<String, ForgeApi> forges;
    private final Supplier<GitMirror> mirror;
    private final ChangeDetector detector;
    private final RunLauncher launcher;

    /**
     * @param env      for {@value #FORGE_REPOSITORY}, {@code CAIRN_GITHUB_API_URL}, {@code CAIRN_GITLAB_API_URL}
     * @param forges   the API clients by source (see {@link PreviewWiring#forges}); none for a forge: no token configured
     * @param mirror   the bare clones, built on first use (the ack path of other commands never pays for it)
     */
    public PullRequestPreviews(Map<String, String> env, Optional<String> repoUrl, Map<String, ForgeApi> forges,
                               Supplier<GitMirror> mirror, ChangeDetector detector, RunLauncher launcher) {
        this.env = Map.copyOf(env);
        this.repoUrl = repoUrl.filter(u -> !u.isBlank()).map(String::strip);
        this.forges = Map.copyOf(forges);
        this.mirror = memoized(mirror);
        this.detector = detector;
        this.launcher = launcher;
    }

    /** Starts INFRA's preview of PR/MR {@code number}, asked by Slack user {@code user}. */
    public Outcome start(String infrastructure, long number, String user) {
        var details = new LinkedHashMap<String, String>();
        details.put("pullRequest", String.valueOf(number));
        if (repoUrl.isEmpty()) {
            return refused(details, "`--pr` needs the repository's URL: set CAIRN_REPO_URL (the repository the webhook fetches) for the Slack app");
        }
        ForgeRepository forge;
        try {
            forge = forgeRepository(env, repoUrl.get());
        } catch (IllegalArgumentException e) {
            return refused(details, e.getMessage());
        }
        var label = forge.label(number);
        details.put("pullRequest", label);
        var api = forges.get(forge.source());
        if (api == null) {
            var variable = forge.source().equals("gitlab") ? PreviewWiring.GITLAB_TOKEN : PreviewWiring.GITHUB_TOKEN;
            return refused(details, "no " + forge.forgeName() + " token is configured, so " + label + " cannot be read: set " + variable
                    + (forge.source().equals("gitlab") ? " (a token with the read_api scope, api to comment)" : " (a token that may read pull requests)"));
        }
        ForgeApi.PullRequest pr;
        try {
            var found = api.pullRequest(forge.repository(), number);
            if (found.isEmpty()) {
                return refused(details, "there is no " + (forge.source().equals("gitlab") ? "merge request " : "pull request ") + label
                        + " (" + forge.forgeName() + " answered 404; check the number, and that the token can see " + forge.repository() + ")");
            }
            pr = found.get();
        } catch (java.io.IOException e) {
            return refused(details, forge.forgeName() + " cannot tell about " + label + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return refused(details, "interrupted while asking " + forge.forgeName() + " about " + label);
        }
        details.put("commit", pr.headSha());
        if (!pr.open()) {
            return refused(details, label + " is " + pr.state() + ": nothing to preview"
                    + (pr.state().equals("merged") ? " (its merge commit's push reconciles)" : ""));
        }
        var event = new PullRequestEvent(forge.source(), "slack", PullRequestEvent.Kind.PREVIEW, "slack", number, forge.repository(),
                List.of(repoUrl.get()), pr.baseBranch(), pr.baseSha(), pr.headSha(),
                (forge.source().equals("gitlab") ? "refs/merge-requests/" : "refs/pull/") + number + "/head",
                pr.fromFork(), pr.headRepository(), "slack:" + user, null, null);
        try {
            return detect(infrastructure, event, pr, details);
        } catch (InvalidInputException | GitMirror.RefusedUrlException | java.io.IOException | org.eclipse.jgit.api.errors.GitAPIException e) {
            return refused(details, "the repository cannot be read for " + label + ": " + e.getMessage());
        }
    }

    private Outcome detect(String infrastructure, PullRequestEvent pr, ForgeApi.PullRequest seen, Map<String, String> details)
            throws java.io.IOException, org.eclipse.jgit.api.errors.GitAPIException {
        var url = repoUrl.orElseThrow();
        var git = mirror.get();
        org.eclipse.jgit.lib.ObjectId base;
        var baseRef = "refs/heads/" + pr.baseBranch();
        try (var fetched = pr.baseSha() == null ? git.fetchTip(url, baseRef) : git.fetch(url, baseRef, pr.baseSha(), null)) {
            base = fetched.after();
        }
        try (var fetched = git.fetch(url, pr.headRef(), pr.headSha(), base.name())) {
            var repo = fetched.repository();
            var head = fetched.after();
            var config = detector.config(repo, base);
            if (!config.branch().equals(pr.baseBranch())) {
                return refused(details, pr.label() + " targets `" + pr.baseBranch() + "`, not the tracked branch `" + config.branch()
                        + "` (cairn.yaml): no preview");
            }
            var fork = PullRequestFlow.forkRefusal(pr, config);
            if (fork.isPresent()) return refused(details, fork.get());
            var mergeBase = PullRequestFlow.mergeBase(repo, base, head);
            details.put("mergeBase", mergeBase.name());
            ChangeSet changes = detector.between(repo, mergeBase, head);
            var changed = changes.changed().stream().filter(c -> c.infrastructure().equals(infrastructure)).findFirst();
            if (changed.isEmpty()) {
                var others = changes.changed().stream().map(ChangeSet.Changed::infrastructure).toList();
                if (changes.deleted().stream().anyMatch(d -> d.infrastructure().equals(infrastructure))) {
                    return refused(details, pr.label() + " deletes the manifest of `" + infrastructure + "`: merging it destroys nothing, and there is nothing to preview");
                }
                return refused(details, others.isEmpty()
                        ? pr.label() + " changes no infrastructure (head `" + short12(pr.headSha()) + "`): nothing to preview"
                        : pr.label() + " does not change `" + infrastructure + "` (it changes " + String.join(", ", others.stream().map(o -> "`" + o + "`").toList())
                        + "): nothing started; `/infra plan " + others.getFirst() + " --pr " + pr.number() + "` previews that");
            }
            var launched = launcher.launch(new RunLauncher.RunRequest(PullRequestFlow.runName(infrastructure, pr), infrastructure, RunAction.PLAN,
                    pr.headSha(), pr.headRef(), Previews.trigger(pr.source(), pr.label(), mergeBase.name(), pr.baseBranch(), base.name())));
            details.put("execution", launched.name());
            details.put("executionId", launched.executionId());
            details.put("alreadyStarted", String.valueOf(launched.alreadyStarted()));
            details.put("reasons", String.join("; ", changed.get().reasons()));
            var where = "the plan appears on " + pr.label() + (seen.webUrl() == null ? "" : " (" + seen.webUrl() + ")") + " as Cairn's comment for `"
                    + infrastructure + "` and the commit status `cairn/plan/" + infrastructure + "`";
            var message = (launched.alreadyStarted() ? "the preview of `" + infrastructure + "` for " + pr.label() + " at head `" + short12(pr.headSha())
                    + "` already ran or is running (started by its webhook or an earlier command; a preview runs once per head, so push a commit"
                    + " to preview again): run `" + launched.name() + "`"
                    : "preview of `" + infrastructure + "` for " + pr.label() + " at head `" + short12(pr.headSha()) + "` started: run `" + launched.name() + "`")
                    + "; " + where + ". It never applies and takes no lock.";
            return new Outcome(launched, message, details);
        }
    }

    /** The forge and repository of {@code repoUrl}, or {@value #FORGE_REPOSITORY} when set; an actionable error otherwise. */
    static ForgeRepository forgeRepository(Map<String, String> env, String repoUrl) {
        var explicit = env.get(FORGE_REPOSITORY);
        if (explicit != null && !explicit.isBlank()) {
            var value = explicit.strip();
            var colon = value.indexOf(':');
            var source = colon < 0 ? "" : value.substring(0, colon).toLowerCase(Locale.ROOT);
            var repository = colon < 0 ? "" : value.substring(colon + 1);
            if (source.equals("github") && GITHUB_REPO.matcher(repository).matches()) return new ForgeRepository(source, repository);
            if (source.equals("gitlab") && GITLAB_PROJECT.matcher(repository).matches()) return new ForgeRepository(source, repository);
            throw new IllegalArgumentException(FORGE_REPOSITORY + " must be github:OWNER/NAME or gitlab:GROUP/PROJECT");
        }
        URI uri;
        try {
            uri = URI.create(repoUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("CAIRN_REPO_URL is not a URL; set " + FORGE_REPOSITORY + "=github:OWNER/NAME or gitlab:GROUP/PROJECT");
        }
        var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        var host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || host.isEmpty()) {
            throw new IllegalArgumentException("CAIRN_REPO_URL is a " + (scheme.isEmpty() ? "path" : scheme + ":") + " URL, which names no forge: set "
                    + FORGE_REPOSITORY + "=github:OWNER/NAME or gitlab:GROUP/PROJECT");
        }
        var path = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "").replaceAll("\\.git$", "");
        String source = null;
        if (host.equals("github.com") || host.equals(hostOf(env.get(PreviewWiring.GITHUB_API_URL)))) source = "github";
        else if (host.equals("gitlab.com") || host.equals(hostOf(env.get(PreviewWiring.GITLAB_API_URL)))) source = "gitlab";
        if (source == null) {
            throw new IllegalArgumentException("cannot tell which forge hosts CAIRN_REPO_URL (" + host + "): set " + FORGE_REPOSITORY
                    + "=github:OWNER/NAME or gitlab:GROUP/PROJECT");
        }
        var matches = source.equals("github") ? GITHUB_REPO.matcher(path).matches() : GITLAB_PROJECT.matcher(path).matches();
        if (!matches) {
            throw new IllegalArgumentException("CAIRN_REPO_URL's path is not a " + (source.equals("github") ? "OWNER/NAME repository" : "GROUP/PROJECT path")
                    + ": set " + FORGE_REPOSITORY);
        }
        return new ForgeRepository(source, path);
    }

    private static String hostOf(String url) {
        if (url == null || url.isBlank()) return null;
        try {
            var host = URI.create(url.strip()).getHost();
            return host == null ? null : host.toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Outcome refused(Map<String, String> details, String message) {
        details.put("reason", message);
        return new Outcome(null, message, details);
    }

    private static String short12(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) : sha;
    }

    private static <T> Supplier<T> memoized(Supplier<T> supplier) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) value = supplier.get();
                return value;
            }
        };
    }
}
