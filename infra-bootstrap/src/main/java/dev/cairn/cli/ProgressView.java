package dev.cairn.cli;

import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunListener;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.run.StageStatus;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Live per-stage progress. At a terminal: one line per stage, redrawn in place with a spinner and
 * elapsed time. Elsewhere (pipes, CI): one plain line per change a reader can see (a stage whose
 * line reads the same as the last one printed for it is not printed again).
 */
final class ProgressView implements RunListener {
    private static final String[] SPINNER = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};

    private final PrintWriter out;
    private final Terminal terminal;
    private Run run;
    private int drawnLines;
    private int tick;
    private boolean paused;
    private ScheduledExecutorService ticker;
    /** Off a terminal: the last line printed for each stage. */
    private final java.util.Map<String, String> printed = new java.util.HashMap<>();

    ProgressView(PrintWriter out, Terminal terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public synchronized void runStarted(Run run) {
        this.run = run;
        out.println(terminal.bold(run.action().name().toLowerCase() + " " + run.infrastructure()) + terminal.dim("  run " + run.id()
                + ", " + run.stages().size() + " stages in " + run.waves().size() + " waves"));
        if (terminal.interactive()) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("cairn-progress").unstarted(r));
            ticker.scheduleAtFixedRate(this::redrawTick, 120, 120, TimeUnit.MILLISECONDS);
            draw();
        }
        out.flush();
    }

    @Override
    public synchronized void stageChanged(Run run, StageResult stage) {
        this.run = run;
        if (paused) return;
        if (terminal.interactive()) {
            draw();
        } else if (stage.status() != StageStatus.PENDING) {
            var text = line(stage);
            if (text.equals(printed.put(stage.stage(), text))) return;
            out.println("  " + text);
            out.flush();
        }
    }

    @Override
    public synchronized void planned(Run run) {
        this.run = run;
        if (terminal.interactive()) draw();
        paused = true;
        drawnLines = 0;
    }

    /** Called after the confirmation, before applying. */
    synchronized void resume() {
        paused = false;
        drawnLines = 0;
        if (terminal.interactive()) draw();
    }

    @Override
    public synchronized void runFinished(Run run) {
        this.run = run;
        if (ticker != null) ticker.shutdownNow();
        if (terminal.interactive() && !paused) draw();
    }

    private synchronized void redrawTick() {
        if (paused || run == null) return;
        tick++;
        draw();
    }

    private void draw() {
        var sb = new StringBuilder();
        if (drawnLines > 0) sb.append("\u001b[").append(drawnLines).append("F");
        int lines = 0;
        for (int w = 0; w < run.waves().size(); w++) {
            for (var name : run.waves().get(w)) {
                var stage = run.stage(name);
                sb.append("\u001b[2K  ").append(terminal.dim(String.valueOf(w + 1))).append(' ').append(line(stage)).append('\n');
                lines++;
            }
        }
        drawnLines = lines;
        out.print(sb);
        out.flush();
    }

    String line(StageResult stage) {
        var name = String.format("%-16s", stage.stage());
        var status = stage.status();
        var label = switch (status) {
            case PENDING -> terminal.dim("waiting");
            case PLANNING, APPLYING, DESTROYING -> terminal.yellow((terminal.interactive() ? SPINNER[tick % SPINNER.length] + " " : "") + status.label() + "…");
            case PLANNED -> terminal.yellow("planned") + "  " + stage.plan().describe();
            case NO_CHANGES -> terminal.green("no changes");
            case DEFERRED -> terminal.yellow("deferred") + terminal.dim("  inputs known after upstream applies");
            case APPLIED -> terminal.green("applied") + "  " + stage.plan().describe();
            case DESTROYED -> terminal.green("destroyed") + (stage.plan() == null ? "" : "  " + stage.plan().describe());
            case FAILED -> terminal.red("failed");
            case SKIPPED -> terminal.dim("skipped") + (stage.error() == null ? "" : terminal.dim("  " + stage.error().replace("skipped: ", "")));
        };
        var elapsed = status == StageStatus.DEFERRED || status == StageStatus.SKIPPED ? "" : elapsed(stage);
        return name + " " + label + (elapsed.isEmpty() ? "" : terminal.dim("  " + elapsed));
    }

    static String elapsed(StageResult stage) {
        if (stage.startedAt() == null) return "";
        var end = stage.finishedAt() != null ? stage.finishedAt() : Instant.now();
        return seconds(Duration.between(stage.startedAt(), end));
    }

    static String seconds(Duration d) {
        return String.format("%.1fs", d.toMillis() / 1000.0);
    }
}
