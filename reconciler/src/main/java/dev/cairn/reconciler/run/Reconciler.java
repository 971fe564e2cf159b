package dev.cairn.reconciler.run;

import dev.cairn.reconciler.bundle.StageRenderer;
import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.reconciler.graph.StageCatalog;
import dev.cairn.reconciler.graph.Stages;
import dev.cairn.reconciler.manifest.Infrastructure;
import dev.cairn.reconciler.manifest.InfrastructureRepo;
import dev.cairn.reconciler.module.BuiltinModules;
import dev.cairn.reconciler.module.ModuleException;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.module.ModuleSource;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.store.OutputStore;
import dev.cairn.reconciler.store.RunStore;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.template.TemplateEngine;
import dev.cairn.reconciler.terraform.StageFailedException;
import dev.cairn.reconciler.terraform.StageRunner;
import dev.cairn.reconciler.terraform.TerraformBinary;
import dev.cairn.reconciler.terraform.TerraformCli;
import dev.cairn.reconciler.terraform.TerraformEnvironment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reconciles one infrastructure on this machine: plans every stage in DAG order (independent
 * stages in parallel), asks for confirmation, applies the saved plans, and passes each stage's
 * outputs to the stages after it. A failed stage stops what depends on it and keeps what was
 * applied; the next run plans everything again, so it resumes where the last one stopped. Destroy
 * walks the DAG backwards.
 *
 * <p>The local driver over the pieces the state machine uses too: {@link Scheduler} (through
 * {@link DagExecutor}) decides which stages start, {@link StageRenderer} renders each stage's work
 * dir, {@link StageRunner} runs Terraform in it, and {@link StageCompletion} records the result
 * and outputs. It depends on the store interfaces only.
 */
public final class Reconciler {
    private static final DateTimeFormatter RUN_ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final InfrastructureRepo repo;
    private final Workspace workspace;
    private final StageCatalog catalog;
    private final ModuleFetcher fetcher;
    private final StageRunner runner;
    private final StageRenderer renderer;
    private final RunStore runs;
    private final OutputStore outputs;
    private final LockStore locks;
    private final StageCompletion completion;
    private final String holder;

    /**
     * @param revision the repo revision being reconciled (a commit id, {@code -dirty} when the work
     *                 tree has changes), recorded on the run; null when unknown
     */
    public record Options(String trigger, int parallelism, Confirmation confirmation, RunListener listener, String revision) {
        public Options {
            trigger = trigger == null ? "cli" : trigger;
            parallelism = parallelism <= 0 ? 4 : parallelism;
            listener = listener == null ? RunListener.NONE : listener;
        }

        public Options(String trigger, int parallelism, Confirmation confirmation, RunListener listener) {
            this(trigger, parallelism, confirmation, listener, null);
        }
    }

    /**
     * @param workspace where stage work dirs, local state and logs live
     * @param holder    who takes the lock (recorded with it): this host's name locally
     */
    public Reconciler(InfrastructureRepo repo, Workspace workspace, StageCatalog catalog, ModuleFetcher fetcher,
                      StageRunner runner, TemplateEngine templates, RunStore runs, OutputStore outputs,
                      LockStore locks, String holder) {
        this.repo = repo;
        this.workspace = workspace;
        this.catalog = catalog;
        this.fetcher = fetcher;
        this.runner = runner;
        this.renderer = new StageRenderer(catalog, fetcher, templates, (infra, stage) -> workspace.localState(infra, stage).toString());
        this.runs = runs;
        this.outputs = outputs;
        this.locks = locks;
        this.completion = new StageCompletion(runs, outputs);
        this.holder = holder;
    }

    /** Everything on this machine: local stores under {@code workspace}, the given terraform binary. */
    public static Reconciler local(InfrastructureRepo repo, Workspace workspace, TerraformBinary terraform) {
        StateDirGuard.check(repo.root(), workspace.root());
        workspace.secure();
        var templates = new TemplateEngine();
        var fetcher = new ModuleFetcher(workspace.gitCache(), BuiltinModules.discover());
        var cli = new TerraformCli(terraform, TerraformEnvironment.create(workspace.root()));
        return new Reconciler(repo, workspace, new StageCatalog(fetcher, templates), fetcher, new StageRunner(cli),
                templates, workspace.runs(), workspace.outputs(), workspace.locks(), workspace.lockHolder());
    }

    public Run plan(String infrastructure, Options options) {
        return execute(infrastructure, RunAction.PLAN, options);
    }

    public Run apply(String infrastructure, Options options) {
        return execute(infrastructure, RunAction.APPLY, options);
    }

    public Run destroy(String infrastructure, Options options) {
        return execute(infrastructure, RunAction.DESTROY, options);
    }

    public Stages stages(String infrastructure) {
        var infra = infrastructure(infrastructure);
        var built = catalog.build(repo, infra);
        if (!built.diagnostics().isEmpty()) throw new InvalidInputException(built.diagnostics());
        return built.stages();
    }

    private Infrastructure infrastructure(String name) {
        return repo.infrastructure(name).orElseThrow(() -> new RunRefusedException("no infrastructure named `" + name
                + "` in " + repo.root() + (repo.infrastructures().isEmpty() ? "" : " (there are: " + String.join(", ", repo.infrastructures().keySet()) + ")")));
    }

    private Run execute(String infrastructure, RunAction action, Options options) {
        StateDirGuard.check(repo.root(), workspace.root());
        var stages = stages(infrastructure);
        var infra = stages.infrastructure();
        if (action == RunAction.DESTROY && "forbidden".equals(infra.spec().policy().destroy())) {
            throw new RunRefusedException("policy forbids destroying `" + infrastructure + "` (spec.policy.destroy: forbidden)");
        }
        var runId = RUN_ID_TIME.format(Instant.now()) + "-" + HexFormat.of().formatHex(RANDOM.generateSeed(3));
        locks.acquire(infrastructure, new LockStore.LockOwner(runId, holder, ProcessHandle.current().pid(), Instant.now()));
        var context = new RunContext(stages, runId, action, options);
        // Ctrl-C or a kill: terraform gets the signal too; record the run as failed and free the lock
        var onShutdown = Thread.ofPlatform().unstarted(() -> {
            // ask running terraform processes to stop gracefully (they save state), wait a little
            var children = ProcessHandle.current().children().toList();
            children.forEach(ProcessHandle::destroy);
            children.forEach(child -> child.onExit().completeOnTimeout(child, 30, java.util.concurrent.TimeUnit.SECONDS).join());
            if (!context.run.status().finished()) context.finish(RunStatus.FAILED, "interrupted (the process was stopped)");
            context.closeLogs();
            locks.release(infrastructure, runId);
        });
        Runtime.getRuntime().addShutdownHook(onShutdown);
        try {
            context.run();
        } catch (RuntimeException e) {
            context.finish(RunStatus.FAILED, context.redactor.apply(String.valueOf(e.getMessage())));
        } finally {
            context.closeLogs();
            locks.release(infrastructure, runId);
            try {
                Runtime.getRuntime().removeShutdownHook(onShutdown);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: it finds the run finished
            }
        }
        return context.run;
    }

    /** The state of one run while it executes. */
    private final class RunContext {
        final Stages stages;
        final Infrastructure infra;
        final RunAction action;
        final Options options;
        final Redactor redactor = new Redactor();
        /** The stored outputs, read once when the run starts and kept in step with every write. */
        final Map<String, StageOutputs> stored = new ConcurrentHashMap<>();
        final Map<String, Map<String, StageOutputs.Output>> current = new ConcurrentHashMap<>();
        final Map<String, Writer> logs = new ConcurrentHashMap<>();
        final Map<String, StageRunner.PlanResult> plans = new ConcurrentHashMap<>();
        /** Each stage's early init, started for every stage at once so that init is off the critical path. */
        final Map<String, java.util.concurrent.CompletableFuture<Void>> prewarmed = new ConcurrentHashMap<>();
        /** Asking first means showing the plan, and deferring stages whose inputs wait on upstream values. */
        boolean withValues;
        volatile Run run;

        RunContext(Stages stages, String runId, RunAction action, Options options) {
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
            runs.put(run);
            options.listener().runStarted(run);
        }

        void run() {
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(Math.max(1, options.parallelism() / 2),
                    Thread.ofPlatform().name("cairn-init-", 0).daemon().factory())) {
                for (var stage : stages.graph().topologicalOrder()) {
                    prewarmed.put(stage, java.util.concurrent.CompletableFuture.runAsync(() -> prewarm(stage), pool));
                }
                reconcile();
            }
        }

        /**
         * Puts the module in place and runs {@code terraform init} before the stage's turn, when
         * its backend does not wait on an upstream output. Failures are left for the stage's own
         * run to report.
         */
        private void prewarm(String stage) {
            try {
                if (action == RunAction.DESTROY && !stored.containsKey(stage)) return;
                var dir = workspace.workDir(infra.name(), stage);
                if (!renderer.renderForInit(stages, stage, upstream(), dir)) return;
                runner.init(dir, log(stage), redactor);
            } catch (RuntimeException e) {
                // the stage's own run reports it
            }
        }

        private void awaitPrewarm(String stage) {
            var future = prewarmed.get(stage);
            if (future != null) future.exceptionally(e -> null).join();
        }

        private void reconcile() {
            var executor = new DagExecutor(options.parallelism());
            boolean destroy = action == RunAction.DESTROY;
            boolean ask = action != RunAction.PLAN && options.confirmation() != null && options.confirmation() != Confirmation.AUTO;
            withValues = action == RunAction.PLAN || ask;
            if (action == RunAction.PLAN || ask) {
                executor.run(stages.graph(), destroy, stage -> plan(stage, destroy), this::skip);
                if (action == RunAction.PLAN || anyFailed()) {
                    finish(anyFailed() ? RunStatus.FAILED : RunStatus.SUCCEEDED, null);
                    return;
                }
                if (!anyWork()) {
                    executor.run(stages.graph(), destroy, this::settle, this::skip);
                    finish(anyFailed() ? RunStatus.FAILED : RunStatus.SUCCEEDED, null);
                    return;
                }
                var first = withStatus(StageStatus.PLANNED);
                if (!first.isEmpty()) {
                    if (!confirm(first, StageConfirmation.CONFIRMED)) {
                        finish(RunStatus.CANCELLED, "not confirmed; nothing was " + (destroy ? "destroyed" : "applied"));
                        return;
                    }
                }
                executor.run(stages.graph(), destroy, this::settleConfirmed, this::skip, this::confirmLater);
                finishConfirmed();
            } else {
                executor.run(stages.graph(), destroy, stage -> converge(stage, destroy), this::skip);
                finish(anyFailed() ? RunStatus.FAILED : RunStatus.SUCCEEDED, null);
            }
        }

        /**
         * Shows {@code asked} and asks. Confirmed: each is marked {@code as}. Not: every stage
         * still to apply is marked not confirmed.
         */
        private boolean confirm(List<String> asked, StageConfirmation as) {
            options.listener().planned(run);
            if (options.confirmation().confirm(run, List.copyOf(asked))) {
                asked.forEach(s -> update(result(s).withConfirmation(as)));
                return true;
            }
            run.stages().forEach((stage, r) -> {
                if (waiting(r)) update(r.withConfirmation(StageConfirmation.NOT_CONFIRMED));
            });
            return false;
        }

        /**
         * Nothing runs and {@code held} stages have plans nobody saw: asks about those of the first
         * wave among them (so a run asks at most once per wave) and returns them when confirmed.
         */
        private Set<String> confirmLater(Set<String> held) {
            var order = waveOrder();
            int wave = held.stream().mapToInt(order::get).min().orElseThrow();
            var asked = new ArrayList<String>();
            for (var stage : stages.graph().topologicalOrder()) {
                if (held.contains(stage) && order.get(stage) == wave) asked.add(stage);
            }
            return confirm(asked, StageConfirmation.CONFIRMED_LATER) ? Set.copyOf(asked) : Set.of();
        }

        /** Each stage's wave in the order the run goes (reversed for destroy). */
        private Map<String, Integer> waveOrder() {
            var waves = new ArrayList<>(run.waves());
            if (action == RunAction.DESTROY) java.util.Collections.reverse(waves);
            var order = new java.util.HashMap<String, Integer>();
            for (int w = 0; w < waves.size(); w++) {
                for (var stage : waves.get(w)) order.put(stage, w);
            }
            return order;
        }

        /** A stage the run has not applied yet and still means to: planned, deferred or not reached. */
        private static boolean waiting(StageResult r) {
            return r.status() == StageStatus.PLANNED || r.status() == StageStatus.DEFERRED || r.status() == StageStatus.PENDING
                    || r.status() == StageStatus.PLANNING;
        }

        private List<String> withStatus(StageStatus status) {
            var out = new ArrayList<String>();
            for (var stage : stages.graph().topologicalOrder()) {
                if (result(stage).status() == status) out.add(stage);
            }
            return out;
        }

        /** The end of a confirmed run: failed, stopped at a confirmation (naming what waits), or done. */
        private void finishConfirmed() {
            if (anyFailed()) {
                finish(RunStatus.FAILED, null);
                return;
            }
            var waiting = new ArrayList<String>();
            run.stages().forEach((stage, r) -> {
                if (waiting(r)) waiting.add(stage);
            });
            if (waiting.isEmpty()) {
                finish(RunStatus.SUCCEEDED, null);
                return;
            }
            waiting.forEach(s -> {
                if (result(s).confirmation() != StageConfirmation.NOT_CONFIRMED) update(result(s).withConfirmation(StageConfirmation.NOT_CONFIRMED));
            });
            finish(RunStatus.CANCELLED, "not confirmed: " + String.join(", ", waiting) + " wait" + (waiting.size() == 1 ? "s" : "")
                    + "; run the same command again to continue");
        }

        /**
         * {@link #settle} for a run that asks: a plan made now (a deferred stage's, after its
         * upstream applied) has not been seen, so a stage whose plan has changes and no
         * confirmation is held until it is confirmed.
         */
        DagExecutor.Step settleConfirmed(String stage) {
            try {
                if (result(stage).status() == StageStatus.DEFERRED) {
                    if (!plan(stage, action == RunAction.DESTROY)) return DagExecutor.Step.FAILED;
                    if (result(stage).status() == StageStatus.DEFERRED) {
                        fail(stage, new StageFailedException("inputs still unknown after every upstream stage applied"));
                        return DagExecutor.Step.FAILED;
                    }
                }
                var r = result(stage);
                if (r.status() == StageStatus.PLANNED && r.confirmation() != StageConfirmation.CONFIRMED
                        && r.confirmation() != StageConfirmation.CONFIRMED_LATER) {
                    return DagExecutor.Step.HELD;
                }
                return settle(stage) ? DagExecutor.Step.SUCCEEDED : DagExecutor.Step.FAILED;
            } catch (RuntimeException e) {
                fail(stage, e);
                return DagExecutor.Step.FAILED;
            }
        }

        /** Plans one stage; DEFERRED when an input depends on an upstream value known only after apply. */
        boolean plan(String stage, boolean destroy) {
            try {
                awaitPrewarm(stage);
                update(result(stage).with(StageStatus.PLANNING));
                if (destroy && !stored.containsKey(stage)) {
                    update(result(stage).withPlan(dev.cairn.reconciler.terraform.PlanSummary.EMPTY).with(StageStatus.NO_CHANGES));
                    return true;
                }
                var dir = prepare(stage);
                if (dir == null) {
                    update(result(stage).with(StageStatus.DEFERRED));
                    return true;
                }
                var log = log(stage);
                runner.init(dir, log, redactor);
                if (stages.get(stage).source() instanceof ModuleSource.Registry) fetcher.exportRegistryOutputs(dir);
                var planned = runner.plan(dir, destroy, log, redactor, withValues && !destroy);
                plans.put(stage, planned);
                if (planned.plannedOutputs() != null) {
                    planned.plannedOutputs().values().forEach(v -> {
                        if (v.sensitive()) redactor.add(v.value());
                    });
                    if (!destroy) current.put(stage, planned.plannedOutputs());
                }
                var summary = planned.summary();
                update(result(stage).withPlan(summary).with(summary.hasChanges() ? StageStatus.PLANNED : StageStatus.NO_CHANGES));
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
                if (destroy && !stored.containsKey(stage)) {
                    update(result(stage).withPlan(dev.cairn.reconciler.terraform.PlanSummary.EMPTY).with(StageStatus.NO_CHANGES));
                    return true;
                }
                update(result(stage).with(destroy ? StageStatus.DESTROYING : StageStatus.APPLYING));
                var dir = prepare(stage);
                if (dir == null) throw new StageFailedException("inputs still unknown after every upstream stage applied");
                var log = log(stage);
                runner.init(dir, log, redactor);
                if (stages.get(stage).source() instanceof ModuleSource.Registry) fetcher.exportRegistryOutputs(dir);
                var applied = runner.applyDirect(dir, destroy, log, redactor);
                var summary = applied.summary();
                if (destroy) {
                    forget(stage);
                    update(result(stage).withPlan(summary).with(StageStatus.DESTROYED).withConfirmation(StageConfirmation.AUTO));
                } else {
                    store(stage, applied.outputs());
                    update(summary.hasChanges() ? result(stage).withPlan(summary).with(StageStatus.APPLIED).withConfirmation(StageConfirmation.AUTO)
                            : result(stage).withPlan(summary).with(StageStatus.NO_CHANGES));
                }
                return true;
            } catch (RuntimeException e) {
                return fail(stage, e);
            }
        }

        /** Applies (or destroys) what was planned for the stage, and records its outputs. */
        boolean settle(String stage) {
            try {
                var status = result(stage).status();
                if (status == StageStatus.DEFERRED) {
                    if (!plan(stage, action == RunAction.DESTROY)) return false;
                    status = result(stage).status();
                    if (status == StageStatus.DEFERRED) {
                        return fail(stage, new StageFailedException("inputs still unknown after every upstream stage applied"));
                    }
                }
                var dir = workspace.workDir(infra.name(), stage);
                var log = log(stage);
                if (action == RunAction.DESTROY) {
                    if (status == StageStatus.PLANNED) {
                        update(result(stage).with(StageStatus.DESTROYING));
                        runner.apply(dir, log, redactor);
                        forget(stage);
                        update(result(stage).with(StageStatus.DESTROYED));
                    } else if (stored.containsKey(stage)) {
                        forget(stage);
                        update(result(stage).with(StageStatus.DESTROYED));
                    }
                    return true;
                }
                Map<String, StageOutputs.Output> values;
                if (status == StageStatus.PLANNED) {
                    update(result(stage).with(StageStatus.APPLYING));
                    values = runner.apply(dir, log, redactor);
                    store(stage, values);
                    update(result(stage).with(StageStatus.APPLIED));
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
            var planned = plans.get(stage);
            if (planned != null && planned.plannedOutputs() != null
                    && planned.plannedOutputs().values().stream().noneMatch(v -> v.value() == dev.cairn.reconciler.template.Unknown.VALUE)) {
                return planned.plannedOutputs();
            }
            var previous = stored.get(stage);
            if (planned != null && previous != null && planned.summary().outputChanges().isEmpty()
                    && new java.util.HashSet<>(planned.outputNames()).equals(previous.values().keySet())) {
                return previous.values();
            }
            return runner.outputs(dir, log, redactor);
        }

        private void store(String stage, Map<String, StageOutputs.Output> output) {
            var record = completion.storeOutputs(infra.name(), run.id(), stage, output, redactor);
            current.put(stage, record.values());
            stored.put(stage, record);
        }

        private void forget(String stage) {
            completion.forgetOutputs(infra.name(), stage);
            stored.remove(stage);
        }

        /**
         * Renders the stage's work dir (module files, {@code cairn.auto.tfvars.json}, backend and
         * provider config). Null when an input is not known yet.
         */
        private Path prepare(String stage) {
            var rendered = renderer.render(stages, stage, upstream(), workspace.workDir(infra.name(), stage));
            if (rendered.isEmpty()) return null;
            rendered.get().sensitiveInputs().forEach(k -> redactor.add(rendered.get().inputs().get(k)));
            return rendered.get().dir();
        }

        /** What the stages are rendered from: the stored outputs, this run's newer ones, and the deferred stages. */
        private StageRenderer.Upstream upstream() {
            var deferred = new java.util.HashSet<String>();
            run.stages().forEach((stage, r) -> {
                if (r.status() == StageStatus.DEFERRED) deferred.add(stage);
            });
            return StageRenderer.Upstream.merge(stored, current, deferred);
        }

        private boolean anyFailed() {
            return run.stages().values().stream().anyMatch(r -> r.status() == StageStatus.FAILED);
        }

        private boolean anyWork() {
            return run.stages().values().stream().anyMatch(r -> r.status() == StageStatus.PLANNED || r.status() == StageStatus.DEFERRED);
        }

        private boolean fail(String stage, RuntimeException e) {
            var message = switch (e) {
                case StageFailedException s -> s.getMessage();
                case ModuleException m -> m.getMessage();
                case RunRefusedException r -> r.getMessage();
                case StageCatalog.StageInputException s -> s.getMessage() + (s.hint() == null ? "" : " (" + s.hint() + ")");
                default -> e.getClass().getSimpleName() + ": " + e.getMessage();
            };
            var safe = redactor.apply(message);
            try {
                var log = log(stage);
                synchronized (log) {
                    log.write("# stage failed: " + safe + "\n");
                    log.flush();
                }
            } catch (IOException ignored) {
                // the log is best effort; the run record keeps the error
            }
            update(result(stage).failed(safe));
            return false;
        }

        private void skip(String stage, String because) {
            update(result(stage).skipped(StageCompletion.skippedBecause(because)));
        }

        private StageResult result(String stage) {
            return run.stage(stage);
        }

        private synchronized void update(StageResult result) {
            run = completion.record(run, result);
            options.listener().stageChanged(run, result);
        }

        synchronized void finish(RunStatus status, String message) {
            run = run.finish(status, message);
            runs.put(run);
            options.listener().runFinished(run);
        }

        private Writer log(String stage) {
            return logs.computeIfAbsent(stage, s -> {
                try {
                    var file = workspace.logFile(workspace.logKey(infra.name(), run.id(), s));
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
    }
}
