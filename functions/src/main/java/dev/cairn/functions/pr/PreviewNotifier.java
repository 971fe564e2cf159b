package dev.cairn.functions.pr;

import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.run.Redactor;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.store.StageOutputs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Tells the pull request about its preview runs: a pending commit status
 * {@code cairn/plan/INFRA} when the run starts; at Finish one comment per infrastructure, created
 * or edited in place (found by {@link PreviewComment#marker}), and the status set to success with
 * the summary ({@link PreviewComment#statusLine}: {@code +3 ~1 -0 in 4 stages · 1 inexact · 1 deferred
 * until upstream applies}) or failure with the first error line. Every other run goes to {@code others} (the
 * Slack threads); of a preview only its end does (not a superseded one), and the Slack notifier
 * posts it only when the manifest asks ({@code notifications.slack.previews}), so a channel is
 * not flooded by PR plans. A push's apply run that ends is also told to the merged PR whose
 * comment is linked to its commit ({@link MergeLinks}). The comment links the run's full log
 * ({@link RunLinks}).
 *
 * <p>Never throws into the run: a failed call is logged (without the token) and the run goes on.
 * Every text goes through a {@link Redactor} that knows the infrastructure's sensitive output values.
 */
public final class PreviewNotifier implements RunNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(PreviewNotifier.class);

    private final RunNotifier others;
    private final ForgeApi github;
    private final ForgeApi gitlab;
    private final Supplier<Redactor> secrets;
    private final MergeLinks links;
    private final RunLinks runLinks;
    private final Predicate<Run> approvalAsked;

    /**
     * @param github  the GitHub client, or null (no token): GitHub previews are then only kept out of {@code others}
     * @param gitlab  the GitLab client, or null
     * @param secrets a redactor that already knows the secret values Cairn holds (the token); may be empty
     */
    public PreviewNotifier(RunNotifier others, ForgeApi github, ForgeApi gitlab, Supplier<Redactor> secrets) {
        this(others, github, gitlab, secrets, null);
    }

    /** @param links the merged PRs' comments by merge commit: a push's apply run that finishes is told to them; null: none */
    public PreviewNotifier(RunNotifier others, ForgeApi github, ForgeApi gitlab, Supplier<Redactor> secrets, MergeLinks links) {
        this(others, github, gitlab, secrets, links, RunLinks.CONSOLE);
    }

    /** @param runLinks where the comment links the run's full log ({@link RunLinks}) */
    public PreviewNotifier(RunNotifier others, ForgeApi github, ForgeApi gitlab, Supplier<Redactor> secrets, MergeLinks links,
                           RunLinks runLinks) {
        this(others, github, gitlab, secrets, links, runLinks, run -> false);
    }

    /**
     * @param approvalAsked whether the policy of a run's infrastructure asks for approval before an apply
     *                      ({@code policy.apply: approval}): its comment then says merging asks in Slack
     */
    public PreviewNotifier(RunNotifier others, ForgeApi github, ForgeApi gitlab, Supplier<Redactor> secrets, MergeLinks links,
                           RunLinks runLinks, Predicate<Run> approvalAsked) {
        this.approvalAsked = approvalAsked;
        this.runLinks = runLinks;
        this.links = links;
        this.others = others;
        this.github = github;
        this.gitlab = gitlab;
        this.secrets = secrets;
    }

    public static String statusContext(String infrastructure) {
        return "cairn/plan/" + infrastructure;
    }

    /** The PR/MR a preview run is for and the forge to tell, or null (another run, or no client for its forge). */
    record Target(ForgeApi forge, String repository, long number, String label) {
        static Target of(Run run, ForgeApi github, ForgeApi gitlab) {
            if (run.action() != dev.cairn.reconciler.run.RunAction.PLAN || !Previews.isPreview(run.trigger())) return null;
            var forge = run.trigger().startsWith("github:") ? github : run.trigger().startsWith("gitlab:") ? gitlab : null;
            if (forge == null) return null;
            var label = Previews.pullRequest(run.trigger());
            var at = Math.max(label.lastIndexOf('#'), label.lastIndexOf('!'));
            if (at < 0) return null;
            try {
                return new Target(forge, label.substring(0, at), Long.parseLong(label.substring(at + 1)), label);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    @Override
    public void runStarted(Run run) {
        var target = Target.of(run, github, gitlab);
        if (target == null) {
            if (!Previews.isPreview(run.trigger())) others.runStarted(run);
            return;
        }
        try {
            target.forge().setStatus(target.repository(), run.revision(), ForgeApi.State.PENDING, statusContext(run.infrastructure()),
                    "planning (run " + run.id() + ")", logLink(run));
        } catch (Exception e) {
            warn("pending status", run, e);
        }
    }

    @Override
    public void stageChanged(Run run, StageResult stage) {
        if (!Previews.isPreview(run.trigger())) others.stageChanged(run, stage);
    }

    @Override
    public void approvalRequested(Run run, ApprovalStore.Approval approval) {
        others.approvalRequested(run, approval);
    }

    @Override
    public void runFinished(Run run, Map<String, StageOutputs> outputs) {
        var target = Target.of(run, github, gitlab);
        if (target == null) {
            if (!Previews.isPreview(run.trigger())) {
                others.runFinished(run, outputs);
                mergeApplied(run);
            } else if (!superseded(run)) {
                others.runFinished(run, outputs); // the Slack notifier posts it only when the manifest asks (slack.previews)
            }
            return;
        }
        if (superseded(run) || newerHeadShown(run, target)) {
            // the comment belongs to the newer head's preview now: only this head's status is closed
            try {
                target.forge().setStatus(target.repository(), run.revision(), ForgeApi.State.FAILURE, statusContext(run.infrastructure()),
                        "superseded by a newer head", logLink(run));
            } catch (Exception e) {
                warn("status", run, e);
            }
            return;
        }
        var redactor = secrets.get();
        outputs.values().forEach(o -> o.values().values().forEach(v -> {
            if (v.sensitive()) redactor.add(v.value());
        }));
        var body = PreviewComment.render(run, target.label(), Previews.mergeBase(run.trigger()), redactor, runLinks.of(run), approvalAsked(run));
        try {
            var written = target.forge().upsertComment(target.repository(), target.number(), PreviewComment.marker(run.infrastructure()), body);
            LOG.info((written.getValue() ? "created" : "updated") + " the preview comment of " + run.infrastructure() + " on " + target.label());
        } catch (Exception e) {
            warn("comment", run, e);
        }
        try {
            target.forge().setStatus(target.repository(), run.revision(), run.status() == RunStatus.SUCCEEDED ? ForgeApi.State.SUCCESS
                    : ForgeApi.State.FAILURE, statusContext(run.infrastructure()), PreviewComment.statusLine(run, redactor),
                    runLinks.of(run).map(redactor::apply));
        } catch (Exception e) {
            warn("status", run, e);
        }
        others.runFinished(run, outputs); // the Slack notifier posts it only when the manifest asks (slack.previews)
    }

    /** The run's log page for a status's "Details" link, redacted as every text is. */
    private Optional<String> logLink(Run run) {
        return runLinks.of(run).map(secrets.get()::apply);
    }

    private boolean approvalAsked(Run run) {
        try {
            return approvalAsked.test(run);
        } catch (RuntimeException e) {
            LOG.warn("cannot tell whether " + run.infrastructure() + " asks for approval (run " + run.id() + "): " + e.getMessage());
            return false;
        }
    }

    /**
     * Whether the PR's comment already shows another head that is newer than this run's: the PR's
     * head now, when the forge says, is another commit; else the comment's run started after this
     * one. Two previews of one PR that end out of order so never let the older head's result win.
     */
    private boolean newerHeadShown(Run run, Target target) {
        try {
            var comment = target.forge().findComments(target.repository(), target.number(), PreviewComment.marker(run.infrastructure()))
                    .stream().findFirst();
            if (comment.isEmpty()) return false;
            var shown = PreviewComment.headOf(comment.get().body());
            if (shown == null || PreviewComment.sameHead(shown, run.revision())) return false;
            Optional<ForgeApi.PullRequest> pr;
            try {
                pr = target.forge().pullRequest(target.repository(), target.number());
            } catch (java.io.IOException | RuntimeException unknown) {
                pr = Optional.empty(); // the forge cannot say: the order the comment records decides
            }
            if (pr.isPresent() && pr.get().headSha() != null) return !pr.get().headSha().equals(run.revision());
            var started = PreviewComment.startedOf(comment.get().body());
            return started.isPresent() && run.startedAt() != null && started.get().isAfter(run.startedAt());
        } catch (Exception e) {
            warn("comment order", run, e);
            return false;
        }
    }

    private static boolean superseded(Run run) {
        return run.error() != null && run.error().contains(Previews.SUPERSEDED);
    }

    /**
     * A push's apply run that finished: its outcome is recorded for the merge commit, and the merged
     * PR's comment linked to it (if the PR-merged webhook came already) shows the result. Only
     * counts and statuses are written, never free text.
     */
    private void mergeApplied(Run run) {
        if (links == null || run.action() != dev.cairn.reconciler.run.RunAction.APPLY || run.trigger() == null
                || !run.trigger().contains(":push ") || run.revision() == null) return;
        try {
            var outcome = PreviewComment.outcome(run, runLinks.of(run).map(secrets.get()::apply));
            links.applied(run.infrastructure(), run.revision(), outcome, java.time.Instant.now());
            var link = links.link(run.infrastructure(), run.revision());
            if (link.isEmpty()) return;
            var l = link.get();
            var forge = l.source().equals("gitlab") ? gitlab : github;
            if (forge == null) return;
            var label = l.repository() + (l.source().equals("gitlab") ? "!" : "#") + l.number();
            var comment = forge.findComments(l.repository(), l.number(), PreviewComment.marker(run.infrastructure())).stream()
                    .filter(c -> c.id() == l.commentId()).findFirst();
            if (comment.isEmpty()) return;
            // the stored outcome, not this run's: of two apply runs of one commit the first recorded wins
            var shown = links.applied(run.infrastructure(), run.revision()).orElse(outcome);
            var text = PreviewComment.applied(comment.get().body(), label, run.revision(), shown);
            if (!text.equals(comment.get().body())) forge.updateComment(l.repository(), l.number(), l.commentId(), text);
            LOG.info("told " + label + " the apply result of " + run.infrastructure() + " run " + run.id());
        } catch (Exception e) {
            warn("merge result", run, e);
        }
    }

    @Override
    public void driftFound(Run run) {
        others.driftFound(run);
    }

    private static void warn(String what, Run run, Exception e) {
        if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        LOG.warn("could not set the preview " + what + " of " + run.infrastructure() + " run " + run.id() + " on its forge: "
                + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
}
