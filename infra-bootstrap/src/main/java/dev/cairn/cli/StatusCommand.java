package dev.cairn.cli;

import dev.cairn.reconciler.manifest.RepositoryLoader;
import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.run.CriticalPath;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.StageConfirmation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

@Command(name = "status", description = "The last run of each infrastructure (or of one), its stages, who holds its lock, and a newer PR plan preview.")
final class StatusCommand extends RepoCommand {
    @Option(names = "--infra", paramLabel = "NAME", description = "Only this infrastructure.")
    String infra;

    @Option(names = "--stack", paramLabel = "NAME", description = "Read from this deployed Cairn stack's table and bucket instead of the local state dir; found through CloudFormation (AWS_REGION, AWS_ENDPOINT_URL for an emulator).")
    String stack;

    @Option(names = "--run", paramLabel = "ID", description = "One run in detail: per stage how its plan was made (speculative, redone), the time of each terraform command and the wait for upstream stages, the run's critical path and, for a run of cairn serve, its execution history (states entered and exited, with timestamps).")
    String runId;

    /** The environment the AWS clients read their endpoint and credentials from (tests give their own). */
    Map<String, String> processEnv = System.getenv();

    @Override
    public Integer call() throws Exception {
        StackStores stores;
        try {
            stores = stack == null ? StackStores.local(common.workspace(repo)) : StackStores.deployed(stack, processEnv);
        } catch (StackStores.UnavailableException e) {
            return StackStores.report(err(), e);
        }
        try (stores) {
            return runId == null ? print(stores) : printRun(stores, stack == null ? common.workspace(repo).root() : null);
        }
    }

    /**
     * {@code --run ID}: the run of {@code --infra} (or of any infrastructure) with that id, in
     * detail; ID may also name a {@code cairn serve} execution, whose history follows.
     */
    private int printRun(StackStores workspace, java.nio.file.Path stateDir) {
        var execution = stateDir == null ? java.util.Optional.<dev.cairn.cli.serve.ExecutionJournal.Entry>empty()
                : new dev.cairn.cli.serve.ExecutionJournal(stateDir, null).find(runId);
        var names = new TreeSet<String>();
        if (execution.isPresent() && execution.get().infrastructure() != null) names.add(execution.get().infrastructure());
        else if (infra != null) names.add(infra);
        else names.addAll(new RepositoryLoader().load(repo).repo().infrastructures().keySet());
        var id = execution.map(dev.cairn.cli.serve.ExecutionJournal.Entry::runId).orElse(runId);
        Run run = null;
        for (var name : names) {
            if (id == null) break;
            run = workspace.runs().get(name, id).orElse(null);
            if (run != null) break;
        }
        if (run == null && execution.isEmpty()) {
            err().println("No run " + runId + (infra == null ? "" : " of `" + infra + "`") + " in " + (stack == null ? "the state dir" : "stack " + stack)
                    + ". `cairn status` shows each infrastructure's last run and its id.");
            err().flush();
            return Cairn.INVALID;
        }
        var path = run == null ? null : CriticalPath.of(run);
        if (common.json()) {
            var row = new LinkedHashMap<String, Object>();
            row.put("run", run);
            row.put("criticalPath", path);
            row.put("wallMillis", run == null || run.finishedAt() == null ? null : Duration.between(run.startedAt(), run.finishedAt()).toMillis());
            row.put("execution", execution.orElse(null));
            printJson(row);
            return Cairn.OK;
        }
        var t = terminal();
        if (run != null) printRunDetail(t, run, path);
        if (execution.isPresent()) {
            var x = execution.get();
            out().println("execution " + x.name() + (x.runId() == null ? "" : " (run " + x.runId() + ")") + "  " + x.status().toLowerCase() + (x.error() == null ? "" : "  " + t.red(x.error()
                    + (x.cause() == null ? "" : ": " + x.cause().lines().findFirst().orElse("")))));
            for (var event : x.events()) {
                out().println("    " + event.timestamp() + "  " + String.format("%-28s", event.type()) + " " + (event.state() == null ? "" : event.state())
                        + (event.error() == null ? "" : "  " + t.red(event.error())));
            }
        }
        out().flush();
        return Cairn.OK;
    }

    private void printRunDetail(Terminal t, Run run, CriticalPath path) {
        out().println(header(t, run));
        var view = new ProgressView(out(), t);
        for (var stage : run.stages().values()) {
            out().println("    " + view.line(stage) + (stage.planning() == null ? "" : "  " + t.dim(stage.planning().label()))
                    + (stage.confirmation() == null ? "" : "  " + t.dim(stage.confirmation().label()))
                    + (stage.inexactBecause() == null ? "" : "  " + t.yellow("inexact: depends on changes in " + String.join(", ", stage.inexactBecause()))));
            var timings = stage.timings();
            if (timings == null) continue;
            var parts = new ArrayList<String>();
            timings.commands().forEach((command, ms) -> parts.add(command + " " + millis(ms)));
            if (timings.startupMillis() != null) {
                // a deployed run's build: started once its upstream stages were recorded done
                parts.add("started " + millis(timings.waitMillis()) + " after " + (timings.after().isEmpty() ? "the run began"
                        : String.join(", ", timings.after()) + " finished"));
                parts.add("cairn stage start-up " + millis(timings.startupMillis()));
            } else if (!timings.after().isEmpty()) {
                parts.add("waited " + millis(timings.waitMillis()) + " for " + String.join(", ", timings.after()));
            }
            if (timings.aheadMillis() > 0 && !timings.after().isEmpty()) parts.add(millis(timings.aheadMillis()) + " of it ahead");
            if (!parts.isEmpty()) out().println("      " + t.dim(String.join(", ", parts)));
        }
        var wall = run.finishedAt() == null ? "running" : millis(Duration.between(run.startedAt(), run.finishedAt()).toMillis());
        out().println("    critical path " + millis(path.millis()) + (path.stages().isEmpty() ? "" : " (" + String.join(" → ", path.stages()) + ")")
                + ", wall " + wall);
        for (var stage : run.stages().values()) {
            if (stage.error() != null && stage.status() == dev.cairn.reconciler.run.StageStatus.FAILED) {
                out().println("    " + t.red(stage.stage() + ": " + stage.error().lines().findFirst().orElse("")));
            }
        }
    }

    /** "latest preview: acme/infra#7 at 0d1a26e67d8f, succeeded (+1 ~0 -0), run ID": a plan preview newer than the last run. */
    static String previewLine(Terminal t, Run preview) {
        int add = 0, change = 0, destroy = 0;
        for (var stage : preview.stages().values()) {
            if (stage.plan() == null) continue;
            add += stage.plan().add();
            change += stage.plan().change();
            destroy += stage.plan().destroy();
        }
        var status = preview.status().name().toLowerCase();
        return t.dim("latest preview: " + Previews.pullRequest(preview.trigger())
                + (preview.revision() == null ? "" : " at " + preview.revision().substring(0, Math.min(12, preview.revision().length())))
                + ", " + status + (preview.status() == dev.cairn.reconciler.run.RunStatus.SUCCEEDED ? " (+" + add + " ~" + change + " -" + destroy + ")" : "")
                + ", run " + preview.id() + " (nothing applied)");
    }

    private static String millis(long ms) {
        return String.format("%.2fs", ms / 1000.0);
    }

    private static String header(Terminal t, Run run) {
        var took = run.finishedAt() == null ? "running" : ProgressView.seconds(Duration.between(run.startedAt(), run.finishedAt()));
        var status = switch (run.status()) {
            case SUCCEEDED -> t.green("succeeded");
            case FAILED -> t.red("failed");
            case CANCELLED -> t.yellow("not confirmed");
            case RUNNING -> t.yellow("running");
        };
        return t.bold(run.infrastructure()) + "  " + run.action().name().toLowerCase() + " " + status + "  " + t.dim(run.id() + ", " + run.startedAt() + ", " + took + ", by " + run.trigger()
                + (run.revision() == null ? "" : ", at " + run.revision().substring(0, Math.min(12, run.revision().length()))
                + (run.revision().endsWith("-dirty") ? "-dirty" : "")));
    }

    private int print(StackStores workspace) {
        var names = new TreeSet<String>();
        if (infra != null) names.add(infra);
        else names.addAll(new RepositoryLoader().load(repo).repo().infrastructures().keySet());
        var rows = new ArrayList<Map<String, Object>>();
        for (var name : names) {
            var row = new LinkedHashMap<String, Object>();
            row.put("infrastructure", name);
            List<Run> recent = workspace.runs().list(name, Previews.RECENT_RUNS);
            row.put("lastRun", Previews.lastRun(recent).orElse(null));
            row.put("latestPreview", Previews.newerPreview(recent).orElse(null));
            row.put("lock", workspace.locks().owner(name).orElse(null));
            row.put("stagesWithOutputs", workspace.outputs().all(name).keySet());
            rows.add(row);
        }
        if (common.json()) {
            printJson(rows);
            return Cairn.OK;
        }
        var t = terminal();
        for (var row : rows) {
            var name = (String) row.get("infrastructure");
            var run = (Run) row.get("lastRun");
            var preview = (Run) row.get("latestPreview");
            if (run == null) {
                out().println(t.bold(name) + t.dim(preview == null ? "  never run" : "  never run (only previewed)"));
                if (preview != null) out().println("    " + previewLine(t, preview));
                continue;
            }
            out().println(header(t, run));
            var view = new ProgressView(out(), t);
            for (var stage : run.stages().values()) {
                var confirmation = stage.confirmation() == null ? "" : "  " + (stage.confirmation() == StageConfirmation.NOT_CONFIRMED
                        ? t.yellow(stage.confirmation().label()) : t.dim(stage.confirmation().label()));
                var planning = stage.planning() == null ? "" : "  " + t.dim(stage.planning().label());
                out().println("    " + view.line(stage) + planning + confirmation);
                if (stage.error() != null && stage.status() == dev.cairn.reconciler.run.StageStatus.FAILED) {
                    out().println("      " + t.red(stage.error().lines().findFirst().orElse("")));
                }
            }
            if (run.status() == dev.cairn.reconciler.run.RunStatus.CANCELLED) {
                out().println("    " + t.dim("stopped at a confirmation; run the same command again to continue"));
            }
            if (row.get("lock") != null) out().println("    " + t.yellow("locked by run " + ((dev.cairn.reconciler.store.LockStore.LockOwner) row.get("lock")).runId()));
            if (preview != null) out().println("    " + previewLine(t, preview));
        }
        out().flush();
        return Cairn.OK;
    }
}
