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
            return print(stores);
        }
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
