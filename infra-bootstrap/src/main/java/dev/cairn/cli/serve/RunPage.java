package dev.cairn.cli.serve;

import dev.cairn.reconciler.bundle.BundleKeys;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.run.Workspace;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

import static dev.cairn.cli.serve.StatusPage.e;

/**
 * {@code GET /runs/INFRA/RUN}: one run (status, trigger, revision, per stage its status, plan
 * summary, timings and error) and every stage's log as stored (redacted by {@code cairn stage}),
 * HTML-escaped; {@code GET /runs/INFRA/RUN/STAGE.log}: one stage log as {@code text/plain}. The
 * page the preview comments link ({@code CAIRN_RUN_URL}). Each path segment must match its name
 * rule as sent (so {@code ..}, an encoded slash or any escape is no name: 404), and the stage must
 * be one of the run's; only then is a key of the store built ({@link BundleKeys#log}).
 *
 * <p>{@code RUN} may also be the name of the execution that made the run (what a merged PR's
 * comment names, {@code dev-apply-…}): found in the run records ({@link Run#executionArn}) or in
 * {@code cairn serve}'s execution histories ({@link ExecutionJournal}), it is a redirect (302) to
 * the run's own page; an execution that has not made its run yet is a 404 that says so.
 */
final class RunPage extends HttpServlet {
    static final String PATH = "/runs/";
    private static final Pattern INFRA = Pattern.compile("[a-z][a-z0-9-]{0,39}");
    private static final Pattern RUN = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final Pattern STAGE_LOG = Pattern.compile("([a-z][a-z0-9_]{0,62})\\.log");

    /** How many of an infrastructure's newest runs are searched for an execution's name. */
    static final int EXECUTION_SEARCH = 500;

    private final transient Workspace workspace;
    private final transient ExecutionJournal journal;

    RunPage(Workspace workspace, ExecutionJournal journal) {
        this.workspace = workspace;
        this.journal = journal;
    }

    /** The page of one run, relative to the server's root. */
    static String path(String infrastructure, String runId) {
        return PATH + infrastructure + "/" + runId;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // the raw path, as sent: no decoding, so an escape never becomes a separator
        var uri = request.getRequestURI();
        var parts = uri.startsWith(PATH) ? uri.substring(PATH.length()).split("/", -1) : new String[0];
        if (parts.length < 2 || parts.length > 3 || !INFRA.matcher(parts[0]).matches() || !RUN.matcher(parts[1]).matches()) {
            notFound(response, "no such page: runs are at /runs/INFRA/RUN and their stage logs at /runs/INFRA/RUN/STAGE.log");
            return;
        }
        var infrastructure = parts[0];
        var runId = parts[1];
        var run = workspace.runs().get(infrastructure, runId);
        if (run.isEmpty()) {
            var execution = execution(infrastructure, runId);
            if (execution.isPresent() && execution.get().runId() != null) {
                var stageLog = parts.length == 3 && STAGE_LOG.matcher(parts[2]).matches() ? "/" + parts[2] : "";
                redirect(response, path(infrastructure, execution.get().runId()) + stageLog, runId, execution.get().runId());
            } else if (execution.isPresent()) {
                notFound(response, "execution " + runId + " of infrastructure " + infrastructure + " has not made its run yet (it is "
                        + execution.get().status().toLowerCase(java.util.Locale.ROOT) + "); reload in a moment, or see its history with "
                        + "`cairn status REPO --run " + runId + "`");
            } else {
                notFound(response, "no run " + runId + " of infrastructure " + infrastructure + " in this state dir (the runs are listed at /)");
            }
            return;
        }
        if (parts.length == 2) {
            page(response, run.get());
            return;
        }
        var stage = STAGE_LOG.matcher(parts[2]);
        if (!stage.matches() || !run.get().stages().containsKey(stage.group(1))) {
            notFound(response, "run " + runId + " of " + infrastructure + " has no stage log " + parts[2] + " (its stages: "
                    + String.join(", ", run.get().stages().keySet()) + ")");
            return;
        }
        var log = log(run.get(), stage.group(1));
        if (log.isEmpty()) {
            notFound(response, "stage " + stage.group(1) + " of run " + runId + " has no log yet");
            return;
        }
        response.setContentType("text/plain;charset=utf-8");
        headers(response);
        response.getOutputStream().write(log.get());
    }

    /** What the execution named {@code name} of {@code infrastructure} is: its run once it made one, else its status. */
    private Optional<Execution> execution(String infrastructure, String name) {
        var suffix = ":" + name;
        for (var run : workspace.runs().list(infrastructure, EXECUTION_SEARCH)) {
            if (run.executionArn() != null && run.executionArn().endsWith(suffix)) return Optional.of(new Execution(run.id(), run.status().name()));
        }
        if (journal == null) return Optional.empty();
        return journal.find(name).filter(e -> name.equals(e.name()) && infrastructure.equals(e.infrastructure()))
                .map(e -> new Execution(e.runId() != null && workspace.runs().get(infrastructure, e.runId()).isPresent() ? e.runId() : null,
                        e.status() == null ? "unknown" : e.status()));
    }

    private record Execution(String runId, String status) {
    }

    private static void redirect(HttpServletResponse response, String location, String execution, String runId) throws IOException {
        response.setStatus(302);
        response.setHeader("Location", location);
        response.setContentType("text/plain;charset=utf-8");
        headers(response);
        response.getOutputStream().write(("execution " + execution + " made run " + runId + ": " + location + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private Optional<byte[]> log(Run run, String stage) {
        return workspace.blobs().get(BundleKeys.log(run.infrastructure(), run.id(), stage));
    }

    private void page(HttpServletResponse response, Run run) throws IOException {
        var status = run.status().name().toLowerCase();
        var html = new StringBuilder();
        html.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(e(run.infrastructure())).append(" run ")
                .append(e(run.id())).append("</title><style>").append(StatusPage.STYLE).append("pre{background:#f4f4f4;padding:.6em;overflow:auto}")
                .append("</style></head><body><p><a href=\"/\">cairn serve</a></p><h1>").append(e(run.infrastructure())).append(" run <code>")
                .append(e(run.id())).append("</code></h1>");
        html.append("<table><tr><th>action</th><td>").append(e(run.action().name().toLowerCase())).append("</td></tr>")
                .append("<tr><th>status</th><td class=\"").append(e(status)).append("\">").append(e(status)).append("</td></tr>")
                .append("<tr><th>trigger</th><td>").append(e(String.valueOf(run.trigger()))).append("</td></tr>")
                .append("<tr><th>revision</th><td><code>").append(e(String.valueOf(run.revision()))).append("</code></td></tr>")
                .append("<tr><th>started</th><td>").append(e(String.valueOf(run.startedAt()))).append("</td></tr>")
                .append("<tr><th>finished</th><td>").append(run.finishedAt() == null ? "-" : e(String.valueOf(run.finishedAt()))).append("</td></tr>");
        if (run.error() != null) html.append("<tr><th>error</th><td>").append(e(run.error())).append("</td></tr>");
        html.append("</table><h2>Stages</h2><table><tr><th>stage</th><th>status</th><th>plan</th><th>started</th><th>took</th><th>error</th></tr>");
        for (var stage : run.stages().values()) {
            var label = stage.status().name().toLowerCase();
            html.append("<tr><td><a href=\"#log-").append(e(stage.stage())).append("\">").append(e(stage.stage())).append("</a></td><td class=\"")
                    .append(e(label)).append("\">").append(e(stage.status().label())).append("</td><td>")
                    .append(stage.plan() == null ? "" : e("+" + stage.plan().add() + " ~" + stage.plan().change() + " -" + stage.plan().destroy()))
                    .append(stage.inexactBecause() == null ? "" : e(" · inexact: depends on changes in " + String.join(", ", stage.inexactBecause())))
                    .append("</td><td>").append(stage.startedAt() == null ? "" : e(String.valueOf(stage.startedAt()))).append("</td><td>")
                    .append(e(took(stage))).append("</td><td>").append(stage.error() == null ? "" : e(stage.error())).append("</td></tr>");
        }
        html.append("</table>");
        for (var stage : run.stages().values()) {
            html.append("<h2 id=\"log-").append(e(stage.stage())).append("\">Log of <code>").append(e(stage.stage())).append("</code></h2>");
            var log = log(run, stage.stage());
            if (log.isEmpty()) {
                html.append("<p>no log (the stage has not run)</p>");
                continue;
            }
            html.append("<p><a href=\"").append(e(path(run.infrastructure(), run.id()) + "/" + stage.stage() + ".log")).append("\">as text</a></p><pre>")
                    .append(e(new String(log.get(), StandardCharsets.UTF_8))).append("</pre>");
        }
        html.append("</body></html>");
        response.setContentType("text/html;charset=utf-8");
        headers(response);
        response.getOutputStream().write(html.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String took(StageResult stage) {
        if (stage.startedAt() == null || stage.finishedAt() == null) return "";
        var took = Duration.between(stage.startedAt(), stage.finishedAt());
        return took.toMillis() < 1000 ? took.toMillis() + " ms" : String.format(java.util.Locale.ROOT, "%.1f s", took.toMillis() / 1000.0);
    }

    private static void headers(HttpServletResponse response) {
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
    }

    private static void notFound(HttpServletResponse response, String message) throws IOException {
        response.setStatus(404);
        response.setContentType("text/plain;charset=utf-8");
        headers(response);
        response.getOutputStream().write((message + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
