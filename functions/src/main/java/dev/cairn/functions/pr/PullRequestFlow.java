package dev.cairn.functions.pr;

import dev.cairn.functions.GitMirror;
import dev.cairn.functions.DeliveryOnce;
import dev.cairn.functions.PushFlow;
import dev.cairn.functions.WebhookResponse;
import dev.cairn.reconciler.change.ChangeDetector;
import dev.cairn.reconciler.change.ChangeSet;
import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.reconciler.launch.ExecutionNames;
import dev.cairn.reconciler.launch.RunLauncher;
import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.store.AuditLog;
import dev.cairn.reconciler.store.DeliveryStore;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.revwalk.filter.RevFilter;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A verified pull/merge request event, start to end: dedupe by delivery id (as pushes), ignore what
 * is not a PR of the configured repository or does not target the tracked branch, refuse a fork's
 * PR unless {@code cairn.yaml} at the base commit allows it ({@code previews.forks}), fetch the base
 * and the head ({@code refs/pull/N/head} / {@code refs/merge-requests/N/head}, which the base
 * repository holds for forks too), detect what the PR changes between the merge base of base and
 * head and the head (what the PR itself changes, not what the base branch gained since), and start
 * one preview run per changed infrastructure, named from the PR, the infrastructure and the head
 * (so a redelivery, or another delivery of the same head, maps to the run already started). The
 * run plans the head merged into the base tip ({@link Previews#onto}): what merging would apply.
 *
 * <p>A merged PR starts nothing (the merge commit's push reconciles): each of its preview comments
 * says "merged: applying in run R", R the apply run the merge commit's push starts
 * ({@link MergeLinks#applyRun}), and the comment is linked to that run ({@link MergeLinks}) so
 * that its result lands in the same comment; a PR closed without merge is recorded stale, and
 * reopened at the same head its comments lose the stale banner (that preview is current again). When handling fails after the delivery was recorded, the delivery is
 * forgotten and the failure rethrown (answered 5xx), as for pushes.
 */
public final class PullRequestFlow {

    private final DeliveryStore deliveries;
    private final AuditLog audit;
    private final RunLauncher launcher;
    private final ChangeDetector detector;
    private final GitMirror mirror;
    private final Optional<String> configuredRepoUrl;
    private final Clock clock;
    private final Map<String, ForgeApi> forges;
    private final MergeLinks links;

    /** @param forges the clients by source ({@code github}, {@code gitlab}): stale and fork-refused comments; none: nothing posted */
    public PullRequestFlow(DeliveryStore deliveries, AuditLog audit, RunLauncher launcher, ChangeDetector detector,
                           GitMirror mirror, Optional<String> configuredRepoUrl, Clock clock, Map<String, ForgeApi> forges) {
        this(deliveries, audit, launcher, detector, mirror, configuredRepoUrl, clock, forges, null);
    }

    /** @param links where a merged PR's comments are linked to the merge commit's apply run; null: the comments say merged, no result follows */
    public PullRequestFlow(DeliveryStore deliveries, AuditLog audit, RunLauncher launcher, ChangeDetector detector,
                           GitMirror mirror, Optional<String> configuredRepoUrl, Clock clock, Map<String, ForgeApi> forges, MergeLinks links) {
        this.links = links;
        this.forges = forges;
        this.deliveries = deliveries;
        this.audit = audit;
        this.launcher = launcher;
        this.detector = detector;
        this.mirror = mirror;
        this.configuredRepoUrl = configuredRepoUrl;
        this.clock = clock;
    }

    /** The deterministic run name of a preview: infrastructure, head commit and the PR (forge, repository, number). */
    public static String runName(String infrastructure, PullRequestEvent pr) {
        return runName(infrastructure, pr, pr.headSha());
    }

    static String runName(String infrastructure, PullRequestEvent pr, String head) {
        return ExecutionNames.of(infrastructure, RunAction.PLAN, head, Previews.KIND + " " + pr.source() + " " + pr.label());
    }

    public WebhookResponse handle(PullRequestEvent pr) throws Exception {
        var body = new LinkedHashMap<String, Object>();
        body.put("delivery", pr.deliveryId());
        body.put("pullRequest", pr.number());
        body.put("action", pr.action());
        body.put("commit", pr.headSha());
        return DeliveryOnce.handle(deliveries, pr.source(), pr.deliveryId(), clock.instant().plus(PushFlow.DELIVERY_TTL), body,
                () -> record("-", pr, "duplicate", Map.of()), () -> handleFirst(pr, body));
    }

    private WebhookResponse handleFirst(PullRequestEvent pr, Map<String, Object> body) throws Exception {
        var fetchUrl = DeliveryOnce.fetchUrl(configuredRepoUrl, pr.cloneUrls(), pr.cloneUrl());
        if (fetchUrl.isEmpty()) return ignored(pr, body, "pull request on " + pr.repository() + ", not the configured repository (CAIRN_REPO_URL)");
        var url = fetchUrl.get();
        switch (pr.kind()) {
            case MERGED -> {
                int marked = markMerged(pr);
                body.put("mergeCommit", pr.mergeCommit());
                body.put("mergedComments", marked);
                record("-", pr, "merged", Map.of("mergeCommit", String.valueOf(pr.mergeCommit()), "comments", String.valueOf(marked)));
                body.put("outcome", "merged");
                body.put("message", pr.label() + " was merged: the merge commit's push reconciles; no preview");
                return new WebhookResponse(200, body);
            }
            case CLOSED -> {
                int marked = markStale(pr);
                body.put("staleComments", marked);
                record("-", pr, "stale", Map.of("comments", String.valueOf(marked)));
                body.put("outcome", "stale");
                body.put("message", pr.label() + " was closed without merge: its preview is stale; nothing started");
                return new WebhookResponse(200, body);
            }
            case PREVIEW -> {
                // handled below
            }
        }
        if (pr.action().equals("reopened") || pr.action().equals("reopen")) {
            // the preview of the head it was closed at is current again (a new head's preview replaces the comment anyway)
            int current = markCurrent(pr);
            body.put("currentComments", current);
            if (current > 0) record("-", pr, "current", Map.of("comments", String.valueOf(current)));
        }
        ObjectId base;
        var baseRef = "refs/heads/" + pr.baseBranch();
        try (var fetched = pr.baseSha() == null ? mirror.fetchTip(url, baseRef) : mirror.fetch(url, baseRef, pr.baseSha(), null)) {
            base = fetched.after();
        }
        try (var fetched = mirror.fetch(url, pr.headRef(), pr.headSha(), base.name())) {
            return detect(pr, body, fetched.repository(), base, fetched.after());
        } catch (InvalidInputException invalid) {
            var reason = "the repository cannot be read for " + pr.label() + ": " + invalid.getMessage();
            record("-", pr, "refused", Map.of("reason", reason));
            body.put("outcome", "invalid-repository");
            body.put("message", reason);
            return new WebhookResponse(422, body);
        }
    }

    private WebhookResponse detect(PullRequestEvent pr, Map<String, Object> body, Repository repo, ObjectId base, ObjectId head)
            throws IOException, InterruptedException {
        // trusted settings come from the base commit: a PR cannot retarget tracking or allow forks for itself
        var config = detector.config(repo, base);
        if (!config.branch().equals(pr.baseBranch())) {
            return ignored(pr, body, pr.label() + " targets " + pr.baseBranch() + ", not the tracked branch (cairn.yaml tracks " + config.branch() + ")");
        }
        var forkRefusal = forkRefusal(pr, config);
        if (forkRefusal.isPresent()) {
            var reason = forkRefusal.get();
            record("-", pr, "refused", Map.of("reason", reason));
            var forge = forges.get(pr.source());
            if (forge != null) {
                forge.upsertComment(pr.repository(), pr.number(), FORK_MARKER, forkComment(reason));
                body.put("told", true);
            }
            body.put("outcome", "fork-refused");
            body.put("message", reason);
            return new WebhookResponse(202, body);
        }
        var mergeBase = mergeBase(repo, base, head);
        body.put("base", base.name());
        body.put("mergeBase", mergeBase.name());
        var changes = detector.between(repo, mergeBase, head);
        var started = new ArrayList<Map<String, Object>>();
        for (var changed : changes.changed()) {
            var infra = changed.infrastructure();
            // planned merged into the base tip: what merging applies, not a revert of what the base gained since the branch
            var trigger = Previews.trigger(pr.source(), pr.label(), mergeBase.name(), pr.baseBranch(), base.name());
            var name = runName(infra, pr);
            var launched = launcher.launch(new RunLauncher.RunRequest(name, infra, RunAction.PLAN, pr.headSha(), pr.headRef(), trigger));
            record(infra, pr, "started", Map.of("execution", launched.name(), "executionId", launched.executionId(),
                    "alreadyStarted", String.valueOf(launched.alreadyStarted()), "reasons", String.join("; ", changed.reasons())));
            var entry = new LinkedHashMap<String, Object>();
            entry.put("infrastructure", infra);
            entry.put("execution", launched.name());
            entry.put("executionId", launched.executionId());
            entry.put("alreadyStarted", launched.alreadyStarted());
            entry.put("reasons", changed.reasons());
            started.add(entry);
        }
        // a newer head supersedes the previews of the previous one still running
        var superseded = new ArrayList<String>();
        if (pr.previousHead() != null && !pr.previousHead().equals(pr.headSha())) {
            var infrastructures = new java.util.TreeSet<String>(changes.unchanged());
            changes.changed().forEach(c -> infrastructures.add(c.infrastructure()));
            for (var infra : infrastructures) {
                var old = runName(infra, pr, pr.previousHead());
                if (launcher.cancel(old, Previews.SUPERSEDED + pr.headSha() + " of " + pr.label())) {
                    superseded.add(old);
                    record(infra, pr, "superseded", Map.of("execution", old));
                }
            }
        }
        body.put("superseded", superseded);
        var deleted = new ArrayList<Map<String, Object>>();
        for (var gone : changes.deleted()) {
            deleted.add(Map.of("infrastructure", gone.infrastructure(), "manifest", gone.manifest(),
                    "note", "the PR deletes this manifest: merging it destroys nothing (destroy on purpose with `cairn destroy`)"));
        }
        body.put("nothingToApply", tellNothingToApply(pr, changes));
        if (started.isEmpty()) record("-", pr, "ignored", Map.of("reason", "the pull request changes no infrastructure"));
        body.put("outcome", started.isEmpty() ? "nothing-started" : "started");
        body.put("started", started);
        body.put("unchanged", changes.unchanged());
        body.put("deleted", deleted);
        return new WebhookResponse(started.isEmpty() ? 200 : 202, body);
    }

    /**
     * An infrastructure an earlier head of the PR changed (it has a preview comment) that this head
     * no longer changes, or whose manifest this head deletes: its comment gets a note on top that
     * merging applies nothing to it, and this head a success status, so a required check does not
     * wait for a preview that will never run. A deleted manifest with no comment yet gets one, so
     * the reviewer learns that merging destroys nothing. A failed call fails the delivery (5xx).
     */
    private List<String> tellNothingToApply(PullRequestEvent pr, ChangeSet changes) throws IOException, InterruptedException {
        var forge = forges.get(pr.source());
        if (forge == null) return List.of();
        var gone = new LinkedHashMap<String, String>(); // infrastructure → its deleted manifest, or null: unchanged
        changes.unchanged().forEach(infra -> gone.put(infra, null));
        changes.deleted().forEach(d -> gone.put(d.infrastructure(), d.manifest()));
        var told = new ArrayList<String>();
        // only a new head can take back what an earlier one changed; a deleted manifest is told on any event
        boolean newHead = pr.previousHead() != null && !pr.previousHead().equals(pr.headSha());
        if (gone.isEmpty() || !newHead && changes.deleted().isEmpty()) return told;
        for (var comment : forge.findComments(pr.repository(), pr.number(), "<!-- cairn:preview:")) {
            var infra = PreviewComment.infrastructureOf(comment.body());
            if (infra == null || !gone.containsKey(infra) || comment.body().contains(FORK_MARKER) || told.contains(infra)) continue;
            var text = PreviewComment.nothingToApply(comment.body(), pr.label(), infra, pr.headSha(), gone.get(infra), clock.instant());
            if (!text.equals(comment.body())) forge.updateComment(pr.repository(), pr.number(), comment.id(), text);
            told.add(infra);
        }
        for (var deleted : changes.deleted()) {
            if (told.contains(deleted.infrastructure())) continue;
            var marker = PreviewComment.marker(deleted.infrastructure());
            var text = PreviewComment.nothingToApply(marker + "\n### Cairn plan preview: `" + deleted.infrastructure() + "`\n\nNo plan: the manifest is deleted.\n",
                    pr.label(), deleted.infrastructure(), pr.headSha(), deleted.manifest(), clock.instant());
            forge.upsertComment(pr.repository(), pr.number(), marker, text.replace(" The preview below is of an earlier head.", ""));
            told.add(deleted.infrastructure());
        }
        for (var infra : told) {
            forge.setStatus(pr.repository(), pr.headSha(), ForgeApi.State.SUCCESS, PreviewNotifier.statusContext(infra),
                    gone.get(infra) == null ? "nothing to apply: this head no longer changes " + infra
                            : "nothing to apply: this head deletes " + gone.get(infra) + "; nothing is destroyed");
        }
        if (!told.isEmpty()) record("-", pr, "nothing-to-apply", Map.of("infrastructures", String.join(",", told)));
        return told;
    }

    /**
     * The fork rule, shared with {@code /infra plan INFRA --pr N}: a PR whose head is in another
     * repository gets no preview unless {@code config} (read at the base commit) sets
     * {@code previews: {forks: true}}; the reason, for people, or empty when it may be previewed.
     */
    public static Optional<String> forkRefusal(PullRequestEvent pr, dev.cairn.reconciler.manifest.RepoConfig config) {
        if (!pr.fromFork() || config.previews().forksAllowed()) return Optional.empty();
        return Optional.of("no preview for " + pr.label() + ": its head is in another repository (" + pr.headRepository()
                + "), and terraform plan would run that code; set previews: {forks: true} in cairn.yaml on "
                + pr.baseBranch() + " to preview forks");
    }

    static final String FORK_MARKER = "<!-- cairn:preview:fork-refused -->";

    /** The PR comment of a fork refusal: "**Cairn: no plan preview** for acme/infra#7: its head is …" (the reason said once). */
    static String forkComment(String reason) {
        return FORK_MARKER + "\n**Cairn: no plan preview** " + reason.replaceFirst("^no preview ", "") + ".\n";
    }

    /**
     * Every preview comment of a PR closed without merge is marked stale; a failed call
     * fails the delivery (5xx), so GitHub's redelivery tries again.
     */
    private int markStale(PullRequestEvent pr) throws IOException, InterruptedException {
        var forge = forges.get(pr.source());
        if (forge == null) return 0;
        int marked = 0;
        for (var comment : forge.findComments(pr.repository(), pr.number(), "<!-- cairn:preview:")) {
            if (comment.body().contains(FORK_MARKER)) continue;
            var stale = PreviewComment.stale(comment.body(), pr.label());
            if (!stale.equals(comment.body())) {
                forge.updateComment(pr.repository(), pr.number(), comment.id(), stale);
                marked++;
            }
        }
        return marked;
    }

    /**
     * The stale banner of a reopened PR's preview comments that show its head is removed; a failed
     * call fails the delivery (5xx), so the redelivery tries again.
     */
    private int markCurrent(PullRequestEvent pr) throws IOException, InterruptedException {
        var forge = forges.get(pr.source());
        if (forge == null) return 0;
        int marked = 0;
        for (var comment : forge.findComments(pr.repository(), pr.number(), "<!-- cairn:preview:")) {
            if (comment.body().contains(FORK_MARKER) || !PreviewComment.sameHead(PreviewComment.headOf(comment.body()), pr.headSha())) continue;
            var current = PreviewComment.current(comment.body());
            if (!current.equals(comment.body())) {
                forge.updateComment(pr.repository(), pr.number(), comment.id(), current);
                marked++;
            }
        }
        return marked;
    }

    /**
     * Every live preview comment of a merged PR says which apply run the merge commit's push starts,
     * and is linked to it; when that run already finished (the push came first and was quick), the
     * result is shown at once. Stale and fork-refused comments are left alone. A failed call fails
     * the delivery (5xx), so the redelivery tries again; a redelivery writes the same text.
     */
    private int markMerged(PullRequestEvent pr) throws IOException, InterruptedException {
        var forge = forges.get(pr.source());
        if (forge == null || pr.mergeCommit() == null) return 0;
        int marked = 0;
        for (var comment : forge.findComments(pr.repository(), pr.number(), "<!-- cairn:preview:")) {
            if (comment.body().contains(FORK_MARKER) || comment.body().contains("**Stale:**") || PreviewComment.nothingToApply(comment.body())) continue;
            var infra = PreviewComment.infrastructureOf(comment.body());
            if (infra == null) continue;
            var merge = pr.mergeCommit();
            if (links != null) links.link(infra, merge, new MergeLinks.Link(pr.source(), pr.repository(), pr.number(), comment.id()), clock.instant());
            var outcome = links == null ? Optional.<String>empty() : links.applied(infra, merge);
            var text = outcome.isPresent() ? PreviewComment.applied(comment.body(), pr.label(), merge, outcome.get())
                    : PreviewComment.merged(comment.body(), pr.label(), merge, MergeLinks.applyRun(infra, merge));
            if (!text.equals(comment.body())) forge.updateComment(pr.repository(), pr.number(), comment.id(), text);
            if (outcome.isEmpty() && links != null) {
                // the run may have finished between the read and the edit: its notifier saw the link and wrote
                // the result, which "merged" just overwrote; write the result again
                var late = links.applied(infra, merge);
                if (late.isPresent()) forge.updateComment(pr.repository(), pr.number(), comment.id(), PreviewComment.applied(comment.body(), pr.label(), merge, late.get()));
            }
            marked++;
        }
        return marked;
    }

    /** The merge base of the PR's base and head: what the head branched from, so the base's own later changes are not the PR's. */
    public static ObjectId mergeBase(Repository repo, ObjectId base, ObjectId head) throws IOException {
        try (var walk = new RevWalk(repo)) {
            walk.setRevFilter(RevFilter.MERGE_BASE);
            walk.markStart(walk.parseCommit(base));
            walk.markStart(walk.parseCommit(head));
            var found = walk.next();
            if (found == null) throw new IOException("the head " + head.name() + " and the base " + base.name() + " share no history");
            return found.getId();
        }
    }

    private WebhookResponse ignored(PullRequestEvent pr, Map<String, Object> body, String reason) {
        record("-", pr, "ignored", Map.of("reason", reason));
        body.put("outcome", "ignored");
        body.put("ignored", reason);
        return new WebhookResponse(202, body);
    }

    private void record(String infrastructure, PullRequestEvent pr, String outcome, Map<String, String> extra) {
        var details = new LinkedHashMap<String, String>();
        details.put("delivery", pr.deliveryId());
        details.put("source", pr.source());
        details.put("pullRequest", pr.label());
        details.put("action", pr.action());
        details.put("commit", pr.headSha());
        details.putAll(extra);
        audit.append(new AuditLog.Entry(clock.instant(), infrastructure, pr.actor(), "pull_request", outcome, details));
    }
}
