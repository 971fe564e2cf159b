package dev.cairn.reconciler.run;

import dev.cairn.reconciler.bundle.StageRenderer;
import dev.cairn.reconciler.graph.Stages;
import dev.cairn.reconciler.manifest.Infrastructure;
import dev.cairn.reconciler.module.ModuleSource;
import dev.cairn.reconciler.store.OutputStore;
import dev.cairn.reconciler.store.RunStore;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.terraform.CommandTimes;
import dev.cairn.reconciler.terraform.StageRunner;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one local run knows while it executes: the run record (every change goes through
 * {@link #update}, which adds the stage's timings, hands the record to the {@link RunRecorder} and
 * tells the listener), the outputs stored by the last apply and the ones this run planned or
 * applied, each stage's plan and the fingerprint of what it was made from, and the values to
 * redact. Shared by {@link LocalRun} (the order of the steps) and {@link StageSteps} (the steps).
 */
final class RunState {
    final Stages stages;
    final Infrastructure infra;
    final RunAction action;
    final Reconciler.Options options;
    final Redactor redactor = new Redactor();
    /** The stored outputs, read once when the run starts and kept in step with every write. */
    final Map<String, StageOutputs> stored = new ConcurrentHashMap<>();
    /** This run's outputs of each stage: planned (all known) or applied. */
    final Map<String, Map<String, StageOutputs.Output>> current = new ConcurrentHashMap<>();
    final Map<String, StageRunner.PlanResult> plans = new ConcurrentHashMap<>();
    /** The time each stage spends in terraform commands. */
    final Map<String, CommandTimes> times = new ConcurrentHashMap<>();
    /** When each stage's own work done ahead (its speculative plan) ended, and how long it then waited for upstream. */
    final Map<String, Instant> readyAt = new ConcurrentHashMap<>();
    final Map<String, Long> waited = new ConcurrentHashMap<>();
    /** Stages whose speculative plan was discarded: their next plan is a redone one. */
    final Set<String> discarded = ConcurrentHashMap.newKeySet();
    /** The inputs fingerprint of each stage's last plan attempt, failed ones included. */
    final Map<String, String> attempted = new ConcurrentHashMap<>();
    final Instant started = Instant.now();
    volatile Run run;
    /** Stores the run record off the stages' threads. */
    private final RunRecorder recorder;

    RunState(Stages stages, String runId, RunAction action, Reconciler.Options options, RunStore runs, OutputStore outputs) {
        this.stages = stages;
        this.infra = stages.infrastructure();
        this.action = action;
        this.options = options;
        stages.definitions().values().forEach(d -> {
            if (d.source() instanceof ModuleSource.Git g && g.credentials() != null) redactor.add(g.credentials().secret());
        });
        stored.putAll(outputs.all(infra.name()));
        stored.values().forEach(o -> o.values().values().forEach(v -> {
            if (v.sensitive()) redactor.add(v.value());
        }));
        run = Run.start(runId, stages, action, options.trigger(), options.revision());
        recorder = new RunRecorder(runs, run);
        options.listener().runStarted(run);
    }

    /** An apply or destroy that shows its plans and asks before it changes anything. */
    boolean asks() {
        return action != RunAction.PLAN && options.confirmation() != null && options.confirmation() != Confirmation.AUTO;
    }

    /** The stages this one waits for in the run's order. */
    List<String> upstreamOf(String stage) {
        var graph = stages.graph();
        var of = action == RunAction.DESTROY ? graph.dependentsOf(stage) : graph.dependenciesOf(stage);
        var out = new ArrayList<String>();
        for (var s : graph.topologicalOrder()) {
            if (of.contains(s)) out.add(s);
        }
        return out;
    }

    CommandTimes times(String stage) {
        return times.computeIfAbsent(stage, s -> new CommandTimes());
    }

    /** What speculative plans are made from: the outputs stored by the last apply, nothing of this run. */
    StageRenderer.Upstream stored() {
        return StageRenderer.Upstream.of(stored);
    }

    /** What the stages are rendered from: the stored outputs, this run's newer ones, and the deferred stages. */
    StageRenderer.Upstream upstream() {
        var deferred = new java.util.HashSet<String>();
        run.stages().forEach((stage, r) -> {
            if (r.status() == StageStatus.DEFERRED) deferred.add(stage);
        });
        return StageRenderer.Upstream.merge(stored, current, deferred);
    }

    /** The stage's upstream stages are done: what it runs from now on depends on them. */
    void upstreamDone(String stage) {
        times(stage).upstreamDone();
        if (waited.containsKey(stage)) return;
        var last = upstreamOf(stage).stream().map(this::result).filter(java.util.Objects::nonNull)
                .map(StageResult::finishedAt).filter(java.util.Objects::nonNull).max(Instant::compareTo);
        var ready = readyAt.getOrDefault(stage, started);
        waited.put(stage, last.map(l -> Math.max(0, java.time.Duration.between(ready, l).toMillis())).orElse(0L));
    }

    /** Forgets a stage's speculative plan: its planned outputs no longer stand for it. */
    void discard(String stage) {
        discarded.add(stage);
        current.remove(stage);
        plans.remove(stage);
    }

    /** How a deferred stage's plan, made now, counts: redone when a speculative plan of it was discarded. */
    StagePlanning laterPlanning(String stage) {
        if (action == RunAction.DESTROY) return null;
        return discarded.contains(stage) ? StagePlanning.REDONE : StagePlanning.AFTER_UPSTREAM;
    }

    /** A stage the run has not applied yet and still means to: planned, deferred or not reached. */
    static boolean waiting(StageResult r) {
        return r.status() == StageStatus.PLANNED || r.status() == StageStatus.DEFERRED || r.status() == StageStatus.PENDING
                || r.status() == StageStatus.PLANNING;
    }

    List<String> withStatus(StageStatus status) {
        var out = new ArrayList<String>();
        for (var stage : stages.graph().topologicalOrder()) {
            if (result(stage).status() == status) out.add(stage);
        }
        return out;
    }

    boolean anyFailed() {
        return run.stages().values().stream().anyMatch(r -> r.status() == StageStatus.FAILED);
    }

    boolean anyWork() {
        return run.stages().values().stream().anyMatch(r -> r.status() == StageStatus.PLANNED || r.status() == StageStatus.DEFERRED);
    }

    /** After a stop: waits (at most {@code limit}) until no stage is still running, so that each records how it ended. */
    void awaitStagesRecorded(java.time.Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline && run.stages().values().stream().anyMatch(r -> r.status() == StageStatus.PLANNING
                || r.status() == StageStatus.APPLYING || r.status() == StageStatus.DESTROYING)) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    StageResult result(String stage) {
        return run.stage(stage);
    }

    synchronized void update(StageResult result) {
        var t = times.get(result.stage());
        result = result.withTimings(new StageTimings(t == null ? Map.of() : t.ordered(), t == null ? 0 : t.aheadMillis(),
                waited.getOrDefault(result.stage(), 0L), upstreamOf(result.stage())));
        run = run.withStage(result);
        recorder.offer(run);
        options.listener().stageChanged(run, result);
    }

    synchronized void finish(RunStatus status, String message) {
        run = recorder.flush(run.finish(status, message));
        options.listener().runFinished(run);
    }
}
