package dev.cairn.reconciler.run;

import dev.cairn.reconciler.bundle.StageRenderer;
import dev.cairn.reconciler.graph.StageCatalog;
import dev.cairn.reconciler.module.ModuleException;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.module.ModuleSource;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.terraform.StageFailedException;
import dev.cairn.reconciler.terraform.StageRunner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The terraform steps of one stage in a local run: render its work dir, init, plan (recording
 * the fingerprint of what the plan was made from), apply the saved plan or plan and apply in one
 * command, store or forget its outputs, and record a failure with a redacted message in its log
 * and the run record. {@link LocalRun} decides which step runs when; {@link RunState} holds what
 * the steps read and write.
 */
final class StageSteps {
    private final RunState state;
    private final Workspace workspace;
    private final StageRenderer renderer;
    private final StageRunner runner;
    private final ModuleFetcher fetcher;
    private final StageCompletion completion;
    private final Map<String, Writer> logs = new ConcurrentHashMap<>();
    /** Each stage's early init, started for every stage at once so that init is off the critical path. */
    private final Map<String, java.util.concurrent.CompletableFuture<Void>> prewarmed = new ConcurrentHashMap<>();
    /** Asking first means showing the plan, and deferring stages whose inputs wait on upstream values. */
    private final boolean withValues;
    /** Early inits: of every stage for a destroy; of a stage deferred at the start, as soon as it is deferred. */
    java.util.concurrent.ExecutorService initPool;

    StageSteps(RunState state, Workspace workspace, StageRenderer renderer, StageRunner runner, ModuleFetcher fetcher,
               StageCompletion completion) {
        this.state = state;
        this.workspace = workspace;
        this.renderer = renderer;
        this.runner = runner;
        this.fetcher = fetcher;
        this.completion = completion;
        this.withValues = state.action == RunAction.PLAN || state.asks();
    }

    /**
     * Puts the module in place and runs {@code terraform init} before the stage's turn, when
     * its backend does not wait on an upstream output. Failures are left for the stage's own
     * run to report.
     */
    private void prewarm(String stage) {
        try {
            if (state.action == RunAction.DESTROY && !state.stored.containsKey(stage)) return;
            var dir = workspace.workDir(state.infra.name(), stage);
            if (!renderer.renderForInit(state.stages, stage, state.upstream(), dir)) return;
            runner(stage).init(dir, log(stage), state.redactor);
        } catch (RuntimeException e) {
            // the stage's own run reports it
        }
    }

    /** Starts the stage's early init on the init pool (once). */
    void prewarmLater(String stage) {
        prewarmed.computeIfAbsent(stage, s -> java.util.concurrent.CompletableFuture.runAsync(() -> prewarm(s), initPool));
    }

    private void awaitPrewarm(String stage) {
        var future = prewarmed.get(stage);
        if (future != null) future.exceptionally(e -> null).join();
    }

    /**
     * Plans one stage from {@code up}; DEFERRED when an input depends on an upstream value known
     * only after apply. Records how the plan was made and the fingerprint of what it was made from.
     */
    boolean plan(String stage, boolean destroy, StageRenderer.Upstream up, StagePlanning planning) {
        try {
            awaitPrewarm(stage);
            state.update(state.result(stage).with(StageStatus.PLANNING));
            if (destroy && !state.stored.containsKey(stage)) {
                state.update(state.result(stage).withPlan(dev.cairn.reconciler.terraform.PlanSummary.EMPTY).with(StageStatus.NO_CHANGES));
                return true;
            }
            var dir = prepare(stage, up);
            if (dir == null) {
                state.update(state.result(stage).with(StageStatus.DEFERRED));
                state.readyAt.put(stage, Instant.now());
                // its init need not wait for its upstream apply when its backend is known
                if (!destroy) prewarmLater(stage);
                return true;
            }
            var inputs = StageRunner.inputsFingerprint(dir);
            state.attempted.put(stage, inputs);
            var log = log(stage);
            var timed = runner(stage);
            timed.init(dir, log, state.redactor);
            if (state.stages.get(stage).source() instanceof ModuleSource.Registry) fetcher.exportRegistryOutputs(dir);
            var planned = timed.plan(dir, destroy, log, state.redactor, withValues && !destroy);
            state.plans.put(stage, planned);
            if (planned.plannedOutputs() != null) {
                planned.plannedOutputs().values().forEach(v -> {
                    if (v.sensitive()) state.redactor.add(v.value());
                });
                if (!destroy) state.current.put(stage, planned.plannedOutputs());
            }
            var summary = planned.summary();
            state.update(state.result(stage).withPlan(summary).with(summary.hasChanges() ? StageStatus.PLANNED : StageStatus.NO_CHANGES)
                    .withPlanning(planning, inputs));
            state.readyAt.put(stage, Instant.now());
            return true;
        } catch (RuntimeException e) {
            return fail(stage, e);
        }
    }

    /**
     * Plans and applies (or destroys) the stage in one terraform command: for runs that
     * apply without a pause for review. Upstream stages have applied, so inputs are known.
     */
    boolean converge(String stage, boolean destroy) {
        try {
            awaitPrewarm(stage);
            if (destroy && !state.stored.containsKey(stage)) {
                state.update(state.result(stage).withPlan(dev.cairn.reconciler.terraform.PlanSummary.EMPTY).with(StageStatus.NO_CHANGES));
                return true;
            }
            state.update(state.result(stage).with(destroy ? StageStatus.DESTROYING : StageStatus.APPLYING));
            var dir = prepare(stage, state.upstream());
            if (dir == null) throw new StageFailedException("inputs still unknown after every upstream stage applied");
            var log = log(stage);
            var timed = runner(stage);
            timed.init(dir, log, state.redactor);
            if (state.stages.get(stage).source() instanceof ModuleSource.Registry) fetcher.exportRegistryOutputs(dir);
            var applied = timed.applyDirect(dir, destroy, log, state.redactor);
            var summary = applied.summary();
            if (destroy) {
                forget(stage);
                state.update(state.result(stage).withPlan(summary).with(StageStatus.DESTROYED).withConfirmation(StageConfirmation.AUTO));
            } else {
                store(stage, applied.outputs());
                state.update(summary.hasChanges() ? state.result(stage).withPlan(summary).with(StageStatus.APPLIED).withConfirmation(StageConfirmation.AUTO)
                        : state.result(stage).withPlan(summary).with(StageStatus.NO_CHANGES));
            }
            return true;
        } catch (RuntimeException e) {
            return fail(stage, e);
        }
    }

    /** Applies (or destroys) what was planned for the stage, and records its outputs. */
    boolean settle(String stage) {
        try {
            var status = state.result(stage).status();
            if (status == StageStatus.DEFERRED) {
                if (!plan(stage, state.action == RunAction.DESTROY, state.upstream(), state.laterPlanning(stage))) return false;
                status = state.result(stage).status();
                if (status == StageStatus.DEFERRED) {
                    return fail(stage, new StageFailedException("inputs still unknown after every upstream stage applied"));
                }
            }
            var dir = workspace.workDir(state.infra.name(), stage);
            var log = log(stage);
            if (state.action == RunAction.DESTROY) {
                if (status == StageStatus.PLANNED) {
                    state.update(state.result(stage).with(StageStatus.DESTROYING));
                    runner(stage).apply(dir, log, state.redactor);
                    forget(stage);
                    state.update(state.result(stage).with(StageStatus.DESTROYED));
                } else if (state.stored.containsKey(stage)) {
                    forget(stage);
                    state.update(state.result(stage).with(StageStatus.DESTROYED));
                }
                return true;
            }
            Map<String, StageOutputs.Output> values;
            if (status == StageStatus.PLANNED) {
                state.update(state.result(stage).with(StageStatus.APPLYING));
                values = runner(stage).apply(dir, log, state.redactor);
                store(stage, values);
                state.update(state.result(stage).with(StageStatus.APPLIED));
            } else {
                values = unchangedOutputs(stage, dir, log);
                store(stage, values);
            }
            return true;
        } catch (RuntimeException e) {
            return fail(stage, e);
        }
    }

    /**
     * The outputs of a stage whose plan has no changes: the planned values when they are all
     * known, else the stored ones when the plan has exactly those outputs, else Terraform's.
     */
    private Map<String, StageOutputs.Output> unchangedOutputs(String stage, Path dir, Writer log) {
        var planned = state.plans.get(stage);
        if (planned != null && planned.plannedOutputs() != null
                && planned.plannedOutputs().values().stream().noneMatch(v -> v.value() == dev.cairn.reconciler.template.Unknown.VALUE)) {
            return planned.plannedOutputs();
        }
        var previous = state.stored.get(stage);
        if (planned != null && previous != null && planned.summary().outputChanges().isEmpty()
                && new java.util.HashSet<>(planned.outputNames()).equals(previous.values().keySet())) {
            return previous.values();
        }
        return runner(stage).outputs(dir, log, state.redactor);
    }

    private void store(String stage, Map<String, StageOutputs.Output> output) {
        var record = completion.storeOutputs(state.infra.name(), state.run.id(), stage, output, state.redactor);
        state.current.put(stage, record.values());
        state.stored.put(stage, record);
    }

    private void forget(String stage) {
        completion.forgetOutputs(state.infra.name(), stage);
        state.stored.remove(stage);
    }

    /**
     * Renders the stage's work dir (module files, {@code cairn.auto.tfvars.json}, backend and
     * provider config). Null when an input is not known yet.
     */
    Path prepare(String stage, StageRenderer.Upstream up) {
        var rendered = renderer.render(state.stages, stage, up, workspace.workDir(state.infra.name(), stage));
        if (rendered.isEmpty()) return null;
        rendered.get().sensitiveInputs().forEach(k -> state.redactor.add(rendered.get().inputs().get(k)));
        return rendered.get().dir();
    }

    /** Renders the stage from its upstream stages' outputs now: true when its saved plan was made from exactly that. */
    boolean stillCurrent(String stage) {
        var dir = prepare(stage, state.upstream());
        return dir != null && StageRunner.inputsFingerprint(dir).equals(state.result(stage).planInputs());
    }

    boolean fail(String stage, RuntimeException e) {
        var message = switch (e) {
            case StageFailedException s -> s.getMessage();
            case ModuleException m -> m.getMessage();
            case RunRefusedException r -> r.getMessage();
            case StageCatalog.StageInputException s -> s.getMessage() + (s.hint() == null ? "" : " (" + s.hint() + ")");
            default -> e.getClass().getSimpleName() + ": " + e.getMessage();
        };
        var safe = state.redactor.apply(message);
        try {
            var log = log(stage);
            synchronized (log) {
                log.write("# stage failed: " + safe + "\n");
                log.flush();
            }
        } catch (IOException ignored) {
            // the log is best effort; the run record keeps the error
        }
        state.update(state.result(stage).failed(safe));
        return false;
    }

    private Writer log(String stage) {
        return logs.computeIfAbsent(stage, s -> {
            try {
                var file = workspace.logFile(workspace.logKey(state.infra.name(), state.run.id(), s));
                Files.createDirectories(file.getParent());
                return Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    void closeLogs() {
        logs.values().forEach(w -> {
            try {
                w.close();
            } catch (IOException ignored) {
                // nothing more to write
            }
        });
    }

    private StageRunner runner(String stage) {
        return runner.timedBy(state.times(stage));
    }
}
