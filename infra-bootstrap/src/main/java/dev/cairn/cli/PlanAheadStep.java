package dev.cairn.cli;

import dev.cairn.reconciler.bundle.AheadReport;
import dev.cairn.reconciler.bundle.BundleKeys;
import dev.cairn.reconciler.bundle.StageBundle;
import dev.cairn.reconciler.bundle.StageReport;
import dev.cairn.reconciler.bundle.StageRenderer;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.run.Redactor;
import dev.cairn.reconciler.run.RunRefusedException;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.store.BlobStore;
import dev.cairn.reconciler.store.RunStore;
import dev.cairn.reconciler.store.local.AtomicFiles;
import dev.cairn.reconciler.terraform.CommandTimes;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code cairn stage plan_ahead}: a deployed run's one plan-ahead build. In this one process it
 * plans every stage whose bundle Prepare rendered ahead ({@link BundleKeys#aheadBundle}, from the
 * outputs stored when the run began), at most {@code parallelism} at once, each with the state
 * lock as a normal plan (the run holds the infrastructure's lock), and stores an
 * {@link AheadReport} per stage. No saved plan is kept (a stale plan is never applied) and state is
 * never written back. One stage's failure is recorded in its report only: that stage gets its
 * normal build.
 */
final class PlanAheadStep {
    private final String infra;
    private final String runId;
    private final int parallelism;

    PlanAheadStep(String infra, String runId, int parallelism) {
        this.infra = infra;
        this.runId = runId;
        this.parallelism = Math.max(1, parallelism);
    }

    /** @return the stages planned ahead, each with its report's status */
    Map<String, StageStatus> run(BlobStore blobs, RunStore runs, Instant processStart) throws Exception {
        if (runs == null) throw new RunRefusedException("plan_ahead reads the run record: set CAIRN_TABLE, or pass --state-dir DIR locally");
        var run = runs.get(infra, runId).orElseThrow(() -> new RunRefusedException("no run " + runId + " of `" + infra + "` in the run store"));
        var pool = Executors.newFixedThreadPool(parallelism);
        try {
            var planned = new java.util.LinkedHashMap<String, Future<StageStatus>>();
            for (var stage : run.stages().keySet()) {
                var archive = blobs.get(BundleKeys.aheadBundle(infra, runId, stage));
                if (archive.isEmpty()) continue;
                planned.put(stage, pool.submit(() -> plan(blobs, stage, archive.get(), processStart)));
            }
            var out = new java.util.LinkedHashMap<String, StageStatus>();
            for (var entry : planned.entrySet()) out.put(entry.getKey(), entry.getValue().get());
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private StageStatus plan(BlobStore blobs, String stage, byte[] archive, Instant processStart) throws Exception {
        var times = new CommandTimes();
        var logKey = BundleKeys.log(infra, runId, stage);
        var captured = new StringWriter();
        captured.write("# plan ahead: " + stage + " from the outputs stored when the run began\n");
        var redactor = new Redactor();
        var bundle = StageBundle.fromZip(archive);
        var dir = Files.createTempDirectory("cairn-ahead-");
        AheadReport report;
        try {
            var manifest = bundle.manifest();
            if (!infra.equals(manifest.infrastructure()) || !runId.equals(manifest.runId()) || !stage.equals(manifest.stage())) {
                throw new RunRefusedException("the ahead bundle of " + stage + " was rendered for another stage");
            }
            bundle.writeTo(dir);
            var tfvars = bundle.files().get(StageRenderer.TFVARS);
            if (tfvars != null && !manifest.sensitiveInputs().isEmpty()) {
                var vars = Json.MAPPER.readValue(tfvars, Map.class);
                manifest.sensitiveInputs().forEach(name -> redactor.add(vars.get(name)));
            }
            var stateFile = StageCommand.workDirState(bundle, dir);
            if (stateFile != null) {
                var state = blobs.get(BundleKeys.state(infra, stage));
                if (state.isPresent()) AtomicFiles.write(stateFile, state.get());
            }
            var env = StageEnvironment.resolve(System.getenv(), dir, runId, stage, redactor, false);
            var runner = StageCommand.runner(dir, env).timedBy(times);
            runner.init(dir, captured, redactor);
            var summary = runner.plan(dir, false, captured, redactor).summary();
            report = new AheadReport(infra, runId, stage, summary.hasChanges() ? StageStatus.PLANNED : StageStatus.NO_CHANGES,
                    manifest.inputsSha256(), StageBundle.sha256(archive), summary, logKey, null, timings(processStart, times));
        } catch (Exception e) {
            var message = redactor.apply(e instanceof RunRefusedException || e instanceof dev.cairn.reconciler.terraform.StageFailedException
                    ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage());
            captured.write("# plan ahead failed: " + message + "\n");
            report = new AheadReport(infra, runId, stage, StageStatus.FAILED, null, null, null, logKey, message, timings(processStart, times));
        } finally {
            ModuleFetcher.deleteTree(dir);
        }
        synchronized (System.err) {
            System.err.print(captured);
            System.err.flush();
        }
        blobs.put(logKey, captured.toString().getBytes(StandardCharsets.UTF_8));
        blobs.put(BundleKeys.ahead(infra, runId, stage), Json.MAPPER.writeValueAsBytes(report));
        return report.status();
    }

    private static StageReport.Timings timings(Instant processStart, CommandTimes times) {
        var first = times.firstStartedAt();
        var startup = first == null ? 0 : Math.max(0, Duration.between(processStart, first).toMillis());
        return new StageReport.Timings(processStart, first, times.ordered(), startup);
    }
}
