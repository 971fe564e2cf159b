package dev.cairn.cli;

import dev.cairn.reconciler.manifest.RepositoryLoader;
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

@Command(name = "status", description = "The last run of each infrastructure (or of one), its stages, and who holds its lock.")
final class StatusCommand extends RepoCommand {
    @Option(names = "--infra", paramLabel = "NAME", description = "Only this infrastructure.")
    String infra;

    @Option(names = "--stack", paramLabel = "NAME", description = "Read from this deployed Cairn stack's table and bucket instead of the local state dir; found through CloudFormation (AWS_REGION, AWS_ENDPOINT_URL for an emulator).")
    String stack;

    @Option(names = "--run", paramLabel = "ID", description = "One run: its stages and, for a run of cairn serve, its execution history (states entered and exited, with timestamps).")
    String runId;

    /** The environment the AWS clients read their endpoint and credentials from (tests give their own). */
    Map<String, String> processEnv = System.getenv();

    @Override
    public Integer call() throws Exception {
        if (runId != null) {
            if (stack != null) throw new dev.cairn.reconciler.run.RunRefusedException("--run reads the local state dir (cairn serve's execution history); drop --stack");
            return printRun(common.workspace(repo));
        }
        StackStores stores;
        try {
            stores = stack == null ? StackStores.local(common.workspace(repo)) : StackStores.deployed(stack, processEnv);
        } catch (StackStores.UnavailableException e) {
            return StackStores.report(err(), e);
        }
        try (stores) {
            return print(stores);
        }
    }

    /** {@code --run ID}: the run's stages, then the history of the execution that made it (cairn serve). */
    private int printRun(dev.cairn.reconciler.run.Workspace workspace) {
        var execution = new dev.cairn.cli.serve.ExecutionJournal(workspace.root(), null).find(runId);
        Run run = null;
        var names = new TreeSet<String>();
        if (execution.isPresent() && execution.get().infrastructure() != null) names.add(execution.get().infrastructure());
        else if (infra != null) names.add(infra);
        else names.addAll(new RepositoryLoader().load(repo).repo().infrastructures().keySet());
        var id = execution.map(dev.cairn.cli.serve.ExecutionJournal.Entry::runId).orElse(runId);
        for (var name : names) {
            if (id == null) break;
            var found = workspace.runs().get(name, id);
            if (found.isPresent()) {
                run = found.get();
                break;
            }
        }
        if (run == null && execution.isEmpty()) {
            throw new dev.cairn.reconciler.run.RunRefusedException("no run " + runId + " in " + workspace.root()
                    + " (`cairn status REPO` lists the last runs; --state-dir DIR for another state dir)");
        }
        if (common.json()) {
            var body = new LinkedHashMap<String, Object>();
            body.put("run", run);
            body.put("execution", execution.orElse(null));
            printJson(body);
            return Cairn.OK;
        }
        var t = terminal();
        var view = new ProgressView(out(), t);
        if (run != null) {
            out().println(t.bold(run.infrastructure()) + "  run " + run.id() + "  " + run.action().name().toLowerCase() + " "
                    + run.status().name().toLowerCase() + t.dim("  by " + run.trigger() + ", started " + run.startedAt()
                    + (run.finishedAt() == null ? "" : ", finished " + run.finishedAt())));
            for (var stage : run.stages().values()) {
                out().println("    " + view.line(stage));
                if (stage.error() != null && stage.status() == dev.cairn.reconciler.run.StageStatus.FAILED) {
                    out().println("      " + t.red(stage.error().lines().findFirst().orElse("")));
                }
            }
        }
        if (execution.isEmpty()) {
            out().println(t.dim("no execution history: this run was not made by cairn serve"));
        } else {
            var x = execution.get();
            out().println("execution " + x.name() + "  " + x.status().toLowerCase() + (x.error() == null ? "" : "  " + t.red(x.error()
                    + (x.cause() == null ? "" : ": " + x.cause().lines().findFirst().orElse("")))));
            for (var event : x.events()) {
                out().println("    " + event.timestamp() + "  " + String.format("%-28s", event.type()) + " " + (event.state() == null ? "" : event.state())
                        + (event.error() == null ? "" : "  " + t.red(event.error())));
            }
        }
        out().flush();
        return Cairn.OK;
    }

    private int print(StackStores workspace) {
        var names = new TreeSet<String>();
        if (infra != null) names.add(infra);
        else names.addAll(new RepositoryLoader().load(repo).repo().infrastructures().keySet());
        var rows = new ArrayList<Map<String, Object>>();
        for (var name : names) {
            var row = new LinkedHashMap<String, Object>();
            row.put("infrastructure", name);
            List<Run> last = workspace.runs().list(name, 1);
            row.put("lastRun", last.isEmpty() ? null : last.get(0));
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
            if (run == null) {
                out().println(t.bold(name) + t.dim("  never run"));
                continue;
            }
            var took = run.finishedAt() == null ? "running" : ProgressView.seconds(Duration.between(run.startedAt(), run.finishedAt()));
            var status = switch (run.status()) {
                case SUCCEEDED -> t.green("succeeded");
                case FAILED -> t.red("failed");
                case CANCELLED -> t.yellow("not confirmed");
                case RUNNING -> t.yellow("running");
            };
            out().println(t.bold(name) + "  " + run.action().name().toLowerCase() + " " + status + "  " + t.dim(run.id() + ", " + run.startedAt() + ", " + took + ", by " + run.trigger()
                    + (run.revision() == null ? "" : ", at " + run.revision().substring(0, Math.min(12, run.revision().length()))
                    + (run.revision().endsWith("-dirty") ? "-dirty" : ""))));
            var view = new ProgressView(out(), t);
            for (var stage : run.stages().values()) {
                var confirmation = stage.confirmation() == null ? "" : "  " + (stage.confirmation() == StageConfirmation.NOT_CONFIRMED
                        ? t.yellow(stage.confirmation().label()) : t.dim(stage.confirmation().label()));
                out().println("    " + view.line(stage) + confirmation);
                if (stage.error() != null && stage.status() == dev.cairn.reconciler.run.StageStatus.FAILED) {
                    out().println("      " + t.red(stage.error().lines().findFirst().orElse("")));
                }
            }
            if (run.status() == dev.cairn.reconciler.run.RunStatus.CANCELLED) {
                out().println("    " + t.dim("stopped at a confirmation; run the same command again to continue"));
            }
            if (row.get("lock") != null) out().println("    " + t.yellow("locked by run " + ((dev.cairn.reconciler.store.LockStore.LockOwner) row.get("lock")).runId()));
        }
        out().flush();
        return Cairn.OK;
    }
}
