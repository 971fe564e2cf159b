package dev.cairn.cli.serve;

import dev.cairn.reconciler.manifest.RepositoryLoader;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.statemachine.Executions;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.util.StringUtil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code GET /}: a read-only page, rendered on the server (no script, no build step): each
 * infrastructure of the served repository with its last runs stage by stage, its lock holder and
 * the approvals it waits for, and the executions running now; each run links its own page
 * ({@link RunPage}). Every value is HTML-escaped; plans and outputs are not shown.
 */
final class StatusPage extends HttpServlet {
    static final int RUNS_SHOWN = 5;
    static final int PREVIEWS_SHOWN = 3;
    static final String STYLE = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
            + "table{border-collapse:collapse;margin:.4em 0 1.2em}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}"
            + ".succeeded,.applied,.no_changes,.destroyed,.planned{color:#0a0}.failed{color:#c00}.running,.planning,.applying,.pending{color:#b70}"
            + ".skipped{color:#888}code{background:#f4f4f4;padding:0 .2em}";

    private final transient Path repo;
    private final transient String described;
    private final transient Workspace workspace;
    private final transient Executions executions;

    StatusPage(Path repo, Workspace workspace, Executions executions) {
        this(repo, repo.toString(), workspace, executions);
    }

    /** @param repo the folder holding cairn.yaml; {@code described} how the page names it (a folder of a larger repository says so) */
    StatusPage(Path repo, String described, Workspace workspace, Executions executions) {
        this.repo = repo;
        this.described = described;
        this.workspace = workspace;
        this.executions = executions;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!"/".equals(request.getRequestURI())) {
            response.sendError(404);
            return;
        }
        var html = new StringBuilder();
        html.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>cairn serve</title><style>")
                .append(STYLE).append("</style></head><body><h1>cairn serve</h1><p>Repository <code>").append(e(described))
                .append("</code></p>");
        running(html);
        for (var name : infrastructures(html)) infrastructure(html, name);
        html.append("</body></html>");
        response.setContentType("text/html;charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
        response.getOutputStream().write(html.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void running(StringBuilder html) {
        var running = executions.list().stream().filter(x -> x.status() == Executions.Status.RUNNING).toList();
        html.append("<h2>Running executions</h2>");
        if (running.isEmpty()) {
            html.append("<p>none</p>");
            return;
        }
        html.append("<table><tr><th>execution</th><th>infrastructure</th><th>action</th><th>started</th></tr>");
        for (var x : running) {
            html.append("<tr><td>").append(e(x.name())).append("</td><td>").append(e(x.input().path("infrastructure").asText()))
                    .append("</td><td>").append(e(x.input().path("action").asText())).append("</td><td>").append(e(String.valueOf(x.started())))
                    .append("</td></tr>");
        }
        html.append("</table>");
    }

    private Set<String> infrastructures(StringBuilder html) {
        var names = new TreeSet<String>();
        try {
            names.addAll(new RepositoryLoader().load(repo).repo().infrastructures().keySet());
        } catch (RuntimeException unreadable) {
            html.append("<p class=\"failed\">the repository cannot be read: ").append(e(String.valueOf(unreadable.getMessage()))).append("</p>");
        }
        return names;
    }

    private void infrastructure(StringBuilder html, String name) {
        html.append("<h2>").append(e(name)).append("</h2>");
        workspace.locks().owner(name).ifPresentOrElse(
                lock -> html.append("<p>locked by run <code>").append(e(lock.runId())).append("</code> (").append(e(lock.holder()))
                        .append(", since ").append(e(String.valueOf(lock.since()))).append(")</p>"),
                () -> html.append("<p>not locked</p>"));
        var waiting = new dev.cairn.reconciler.approval.local.LocalApprovalStore(workspace.root().resolve("approvals")).pending(name);
        if (!waiting.isEmpty()) {
            html.append("<p>waiting for approval:</p><ul>");
            for (var approval : waiting) {
                html.append("<li>stage <code>").append(e(approval.stage())).append("</code> of run <code>").append(e(approval.runId()))
                        .append("</code>, requested by ").append(e(approval.requestedBy()))
                        .append(approval.plan() == null ? "" : ", plan " + e("+" + approval.plan().add() + " ~" + approval.plan().change() + " -" + approval.plan().destroy()))
                        .append(": Approve in Slack, or <code>cairn approve ").append(e(approval.runId())).append(" --stage ").append(e(approval.stage()))
                        .append("</code></li>");
            }
            html.append("</ul>");
        }
        // PR previews change nothing: they never push the infrastructure's own runs off the page, and come after them
        var recent = workspace.runs().list(name, dev.cairn.reconciler.preview.Previews.RECENT_RUNS);
        var runs = recent.stream().filter(r -> !dev.cairn.reconciler.preview.Previews.isPreview(r.trigger())).limit(RUNS_SHOWN).toList();
        var previews = recent.stream().filter(r -> dev.cairn.reconciler.preview.Previews.isPreview(r.trigger())).limit(PREVIEWS_SHOWN).toList();
        if (runs.isEmpty()) html.append(previews.isEmpty() ? "<p>never run</p>" : "<p>never run (only previewed)</p>");
        for (var run : runs) run(html, run);
        if (!previews.isEmpty()) html.append("<p>latest plan previews of pull/merge requests:</p>");
        for (var run : previews) run(html, run);
    }

    private static void run(StringBuilder html, Run run) {
        var status = run.status().name().toLowerCase();
        html.append("<h3>run <a href=\"").append(e(RunPage.path(run.infrastructure(), run.id()))).append("\"><code>").append(e(run.id()))
                .append("</code></a>: ").append(e(dev.cairn.reconciler.preview.Previews.isPreview(run.trigger())
                        ? "plan preview of " + dev.cairn.reconciler.preview.Previews.pullRequest(run.trigger()) + " (nothing applied)"
                        : run.action().name().toLowerCase())).append(" <span class=\"")
                .append(e(status)).append("\">").append(e(status)).append("</span></h3><p>by ").append(e(run.trigger())).append(" at ")
                .append(e(run.revision() == null ? "-" : run.revision().substring(0, Math.min(12, run.revision().length()))))
                .append(", started ").append(e(String.valueOf(run.startedAt())))
                .append(run.finishedAt() == null ? "" : ", finished " + e(String.valueOf(run.finishedAt()))).append("</p>");
        html.append("<table><tr><th>stage</th><th>status</th><th>plan</th><th>error</th></tr>");
        for (var stage : run.stages().values()) {
            var label = stage.status().name().toLowerCase();
            html.append("<tr><td>").append(e(stage.stage())).append("</td><td class=\"").append(e(label)).append("\">").append(e(stage.status().label()))
                    .append("</td><td>").append(stage.plan() == null ? "" : e("+" + stage.plan().add() + " ~" + stage.plan().change() + " -" + stage.plan().destroy())).append("</td><td>")
                    .append(stage.error() == null ? "" : e(stage.error().lines().findFirst().orElse(""))).append("</td></tr>");
        }
        html.append("</table>");
    }

    static String e(String text) {
        return StringUtil.sanitizeXmlString(text);
    }
}
