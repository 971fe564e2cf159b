package dev.cairn.functions.pr;

import dev.cairn.functions.pr.github.GitHubApi;
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
import java.util.function.Supplier;

/**
 * Tells the pull request about its preview runs: a pending commit status
 * {@code cairn/plan/INFRA} when the run starts; at Finish one comment per infrastructure, created
 * or edited in place (found by {@link PreviewComment#marker}), and the status set to success with
 * the summary or failure with the first error line. Every other run goes to {@code others} (the
 * Slack threads); previews do not, so a channel is not flooded by PR plans.
 *
 * <p>Never throws into the run: a failed call is logged (without the token) and the run goes on.
 * Every text goes through a {@link Redactor} that knows the infrastructure's sensitive output values.
 */
public final class PreviewNotifier implements RunNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(PreviewNotifier.class);

    private final RunNotifier others;
    private final GitHubApi github;
    private final Supplier<Redactor> secrets;

    /**
     * @param github  the GitHub client, or null (no token): previews are then only kept out of {@code others}
     * @param secrets a redactor that already knows the secret values Cairn holds (the token); may be empty
     */
    public PreviewNotifier(RunNotifier others, GitHubApi github, Supplier<Redactor> secrets) {
        this.others = others;
        this.github = github;
        this.secrets = secrets;
    }

    public static String statusContext(String infrastructure) {
        return "cairn/plan/" + infrastructure;
    }

    /** The GitHub PR a preview run is for, or null (another run, or a GitLab MR). */
    record Target(String repository, long number, String label) {
        static Target of(Run run, GitHubApi github) {
            if (github == null || run.action() != dev.cairn.reconciler.run.RunAction.PLAN || !Previews.isPreview(run.trigger())
                    || !run.trigger().startsWith("github:")) return null;
            var label = Previews.pullRequest(run.trigger());
            var hash = label.lastIndexOf('#');
            if (hash < 0) return null;
            try {
                return new Target(label.substring(0, hash), Long.parseLong(label.substring(hash + 1)), label);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    @Override
    public void runStarted(Run run) {
        var target = Target.of(run, github);
        if (target == null) {
            if (!Previews.isPreview(run.trigger())) others.runStarted(run);
            return;
        }
        try {
            github.setStatus(target.repository(), run.revision(), "pending", statusContext(run.infrastructure()),
                    "planning (run " + run.id() + ")", null);
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
        var target = Target.of(run, github);
        if (target == null) {
            if (!Previews.isPreview(run.trigger())) others.runFinished(run, outputs);
            return;
        }
        var redactor = secrets.get();
        outputs.values().forEach(o -> o.values().values().forEach(v -> {
            if (v.sensitive()) redactor.add(v.value());
        }));
        var body = PreviewComment.render(run, target.label(), Previews.mergeBase(run.trigger()), redactor);
        try {
            var written = github.upsertComment(target.repository(), target.number(), PreviewComment.marker(run.infrastructure()), body);
            LOG.info((written.getValue() ? "created" : "updated") + " the preview comment of " + run.infrastructure() + " on " + target.label());
        } catch (Exception e) {
            warn("comment", run, e);
        }
        try {
            github.setStatus(target.repository(), run.revision(), run.status() == RunStatus.SUCCEEDED ? "success" : "failure",
                    statusContext(run.infrastructure()), PreviewComment.statusLine(run, redactor), null);
        } catch (Exception e) {
            warn("status", run, e);
        }
    }

    @Override
    public void driftFound(Run run) {
        others.driftFound(run);
    }

    private static void warn(String what, Run run, Exception e) {
        if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        LOG.warn("could not set the preview " + what + " of " + run.infrastructure() + " run " + run.id() + " on GitHub: "
                + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
}
