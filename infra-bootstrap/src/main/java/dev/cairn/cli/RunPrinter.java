package dev.cairn.cli;

import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StagePlanning;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.terraform.PlanSummary;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.EnumMap;

/** The plan a person confirms, and the closing summary of a run. */
final class RunPrinter {
    private final PrintWriter out;
    private final Terminal terminal;

    RunPrinter(PrintWriter out, Terminal terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Every stage's plan (what {@code cairn plan} prints). */
    void printPlan(Run run) {
        printPlan(run, null);
    }

    /**
     * The plans of {@code asked} (null: of every stage), wave by wave: each resource address and
     * action (by action, then address), and the outputs that change (marked when their new value is
     * known only after apply); then the stages still deferred, which are shown and
     * asked about once their upstream stages have applied.
     */
    void printPlan(Run run, java.util.Collection<String> asked) {
        out.println();
        int add = 0, change = 0, destroy = 0, deferred = 0;
        for (var wave : run.waves()) {
            for (var name : wave) {
                var stage = run.stage(name);
                if (stage.status() == StageStatus.DEFERRED) {
                    deferred++;
                    out.println(terminal.bold(name) + terminal.dim(": planned after its upstream stages apply (inputs known after apply)"
                            + (asked == null ? "" : "; shown and asked before it is applied")));
                    continue;
                }
                if (asked != null && !asked.contains(name)) continue;
                var plan = stage.plan();
                if (plan == null || !plan.hasChanges()) continue;
                add += plan.add();
                change += plan.change();
                destroy += plan.destroy();
                out.println(terminal.bold(name) + ": " + plan.describe());
                for (var rc : plan.resources()) out.println("  " + symbol(rc.action()) + " " + rc.address());
                if (!plan.outputChanges().isEmpty() && run.action() != RunAction.DESTROY) {
                    var names = plan.outputChanges().stream().map(n -> plan.knownAfterApply(n) ? n + " (known after apply)" : n).toList();
                    var shown = names.size() <= 6 ? String.join(", ", names)
                            : String.join(", ", names.subList(0, 6)) + " and " + (names.size() - 6) + " more";
                    out.println("  " + terminal.dim("outputs: " + shown));
                }
            }
        }
        out.println();
        out.println(terminal.bold("Plan:") + " " + add + " to add, " + change + " to change, " + destroy + " to destroy"
                + (deferred > 0 ? ", " + deferred + " stage" + (deferred == 1 ? "" : "s") + " planned after upstream applies" : "") + ".");
        out.flush();
    }

    void printSummary(Run run, Workspace workspace) {
        var counts = new EnumMap<StageStatus, Integer>(StageStatus.class);
        run.stages().values().forEach(s -> counts.merge(s.status(), 1, Integer::sum));
        var took = run.finishedAt() == null ? "" : " in " + ProgressView.seconds(Duration.between(run.startedAt(), run.finishedAt()));
        out.println();
        for (var stage : run.stages().values()) {
            if (stage.status() == StageStatus.FAILED) {
                out.println(terminal.red("✗ " + stage.stage() + " failed:"));
                stage.error().lines().forEach(l -> out.println("    " + l));
                out.println(terminal.dim("    log: " + workspace.root().resolve(stage.log())));
            }
        }
        var verb = switch (run.action()) {
            case PLAN -> "Plan";
            case APPLY -> "Apply";
            case DESTROY -> "Destroy";
        };
        if (run.status() == RunStatus.SUCCEEDED) {
            var parts = new StringBuilder();
            append(parts, counts, StageStatus.APPLIED, "applied");
            append(parts, counts, StageStatus.DESTROYED, "destroyed");
            append(parts, counts, StageStatus.PLANNED, "with changes");
            append(parts, counts, StageStatus.DEFERRED, "deferred");
            append(parts, counts, StageStatus.NO_CHANGES, run.action() == RunAction.DESTROY ? "nothing to destroy" : "unchanged");
            boolean nothing = counts.getOrDefault(StageStatus.APPLIED, 0) + counts.getOrDefault(StageStatus.PLANNED, 0)
                    + counts.getOrDefault(StageStatus.DEFERRED, 0) + counts.getOrDefault(StageStatus.DESTROYED, 0) == 0;
            out.println(terminal.green(verb + " complete") + ": " + run.stages().size() + " stages (" + parts + ")" + took + "."
                    + (nothing && run.action() != RunAction.DESTROY ? " No changes. Infrastructure is up to date." : ""));
        } else if (run.status() == RunStatus.CANCELLED) {
            printStopped(run, verb, counts, took);
        } else {
            var failed = counts.getOrDefault(StageStatus.FAILED, 0);
            var skipped = counts.getOrDefault(StageStatus.SKIPPED, 0);
            out.println(terminal.red(verb + " failed") + ": " + failed + " stage" + (failed == 1 ? "" : "s") + " failed, "
                    + skipped + " skipped" + took + "." + (run.error() != null ? " " + run.error() : ""));
            if (run.action() != RunAction.PLAN) {
                out.println(terminal.dim("What applied is kept. Fix the cause and run the same command again: it resumes from the failed stage."));
            }
        }
        printPlanning(run);
        out.flush();
    }

    /**
     * How the plans were made: every stage plans at once from the stored upstream outputs
     * (speculative); a plan whose inputs an upstream stage changed is redone.
     */
    private void printPlanning(Run run) {
        var counts = new EnumMap<StagePlanning, java.util.List<String>>(StagePlanning.class);
        run.stages().values().forEach(s -> {
            if (s.planning() != null) counts.computeIfAbsent(s.planning(), k -> new java.util.ArrayList<>()).add(s.stage());
        });
        if (counts.isEmpty()) return;
        var parts = new java.util.ArrayList<String>();
        counts.forEach((planning, stages) -> parts.add(stages.size() + " " + planning.label()
                + (planning == StagePlanning.REDONE ? " (" + String.join(", ", stages) + ")" : "")));
        var path = dev.cairn.reconciler.run.CriticalPath.of(run);
        out.println(terminal.dim("Plans: " + String.join(", ", parts) + "; critical path " + ProgressView.seconds(Duration.ofMillis(path.millis()))
                + ". Details: cairn status REPO --infra " + run.infrastructure() + " --run " + run.id()));
    }

    /** A run stopped at a confirmation: what applied, which stages wait, and how to continue. */
    private void printStopped(Run run, String verb, EnumMap<StageStatus, Integer> counts, String took) {
        var waiting = run.stages().values().stream()
                .filter(s -> s.confirmation() == dev.cairn.reconciler.run.StageConfirmation.NOT_CONFIRMED).map(s -> s.stage()).toList();
        int done = counts.getOrDefault(StageStatus.APPLIED, 0) + counts.getOrDefault(StageStatus.DESTROYED, 0);
        if (done == 0) {
            out.println(terminal.yellow(verb + " cancelled") + ": not confirmed; nothing was " + (run.action() == RunAction.DESTROY ? "destroyed" : "applied") + ".");
        } else {
            out.println(terminal.yellow(verb + " stopped") + ": not confirmed; " + done + " stage" + (done == 1 ? "" : "s") + " "
                    + (run.action() == RunAction.DESTROY ? "destroyed" : "applied") + took + ", and kept.");
        }
        if (!waiting.isEmpty()) {
            out.println("Waiting for confirmation: " + String.join(", ", waiting) + ".");
            out.println(terminal.dim("Run the same command again to continue: it plans the waiting stages, shows their plans and asks."));
        }
    }

    private static void append(StringBuilder sb, EnumMap<StageStatus, Integer> counts, StageStatus status, String label) {
        var n = counts.getOrDefault(status, 0);
        if (n == 0) return;
        if (!sb.isEmpty()) sb.append(", ");
        sb.append(n).append(' ').append(label);
    }

    private String symbol(PlanSummary.Action action) {
        return switch (action) {
            case CREATE -> terminal.green("+");
            case UPDATE -> terminal.yellow("~");
            case DELETE -> terminal.red("-");
            case REPLACE -> terminal.red("-/+");
            case READ -> "<=";
        };
    }
}
