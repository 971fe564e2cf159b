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
import dev.cairn.reconciler.terraform.CommandTimes;
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
 * Reconciles one infrastructure on this machine: plans every stage at once (speculative planning,
 * at most {@code parallelism} together) from the outputs its upstream stages stored at their last
 * apply, asks for confirmation, applies the saved plans in DAG order, and passes each stage's
 * outputs to the stages after it. Each plan records the fingerprint of what it was made from
 * (rendered tfvars, module tree, backend and provider); before a saved plan is applied the stage is
 * rendered again from its upstream outputs now, and a plan whose inputs changed is discarded and
 * redone, never applied stale. A stage whose inputs have no stored value yet is planned after its
 * upstream applies. A failed stage stops what depends on it and keeps what was applied; the next
 * run plans everything again, so it resumes where the last one stopped. Destroy walks the DAG
 * backwards, each stage planned after the stages that depend on it (no speculation).
 *
 * <p>Every stage records the time of each terraform command and its wait for upstream stages
 * ({@link StageTimings}), from which {@link CriticalPath} gives the run's critical path.
 *
 * <p>The local driver over the pieces the state machine uses too: {@link Scheduler} (through
 * {@link DagExecutor}) decides which stages start, {@link StageRenderer} renders each stage's work
 * dir, {@link StageRunner} runs Terraform in it, and {@link StageCompletion} stores the outputs.
 * The run record is kept in the run store by a {@link RunRecorder}, off the stages' threads (the
 * local run holds the lock, so it is the record's only writer). It depends on the store
 * interfaces only.
 */
public final class Reconciler {
    private static final DateTimeFormatter RUN_ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
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
        var suffix = new byte[3];
        RANDOM.nextBytes(suffix);   // not generateSeed: that reads the kernel's entropy pool on every run
        var runId = RUN_ID_TIME.format(Instant.now()) + "-" + HexFormat.of().formatHex(suffix);
        locks.acquire(infrastructure, new LockStore.LockOwner(runId, holder, ProcessHandle.current().pid(), Instant.now()));
        var context = new RunContext(stages, runId, action, options);
        // Ctrl-C or a kill: terraform gets the signal too; record the run as failed and free the lock
        var onShutdown = Thread.ofPlatform().unstarted(() -> {
            // ask running terraform processes to stop gracefully (they save state), wait a little
            context.stopping = true;
            var children = ProcessHandle.current().children().toList();
            children.forEach(ProcessHandle::destroy);
            children.forEach(child -> child.onExit().completeOnTimeout(child, 30, java.util.concurrent.TimeUnit.SECONDS).join());
            context.awaitStagesRecorded(java.time.Duration.ofSeconds(10));
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
        /** The time each stage spends in terraform commands. */
        final Map<String, CommandTimes> times = new ConcurrentHashMap<>();
        /** When each stage's own work done ahead (its speculative plan) ended, and how long it then waited for upstream. */
        final Map<String, Instant> readyAt = new ConcurrentHashMap<>();
        final Map<String, Long> waited = new ConcurrentHashMap<>();
        /** Stages whose speculative plan was discarded: their next plan is a redone one. */
        final Set<String> discarded = ConcurrentHashMap.newKeySet();
        /** The inputs fingerprint of each stage's last plan attempt, failed ones included. */
        final Map<String, String> attempted = new ConcurrentHashMap<>();
        /** Each stage's speculative plan of a {@code --yes} apply, which its apply step waits for. */
        final Map<String, java.util.concurrent.CompletableFuture<Void>> speculated = new ConcurrentHashMap<>();
        /** At most {@code parallelism} stages run terraform at once, across the speculative plans and the applies. */
        final TerraformSlots slots;
        /** Early inits: of every stage for a destroy; of a stage deferred at the start, as soon as it is deferred. */
        java.util.concurrent.ExecutorService initPool;
        /** The stages with no upstream stage that the first DAG wave starts. */
        final Set<String> expectedRoots = ConcurrentHashMap.newKeySet();
        final Instant started = Instant.now();
        volatile Run run;
        /** The process is being stopped: no stage starts terraform any more. */
        volatile boolean stopping;
        /** Stores the run record off the stages' threads. */
        final RunRecorder recorder;

        RunContext(Stages stages, String runId, RunAction action, Options options) {
            this.stages = stages;
            this.infra = stages.infrastructure();
            this.action = action;
            this.options = options;
            this.slots = new TerraformSlots(options.parallelism());
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

        void run() {
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(Math.max(1, options.parallelism() / 2),
                    Thread.ofPlatform().name("cairn-init-", 0).daemon().factory())) {
                initPool = pool;
                // a speculative plan inits its stage itself at once; a destroy plans in reverse order, so init ahead
                if (action == RunAction.DESTROY) {
                    for (var stage : stages.graph().topologicalOrder()) prewarmLater(stage);
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
                runner(stage).init(dir, log(stage), redactor);
            } catch (RuntimeException e) {
                // the stage's own run reports it
            }
        }

        /** Starts the stage's early init on the init pool (once). */
        private void prewarmLater(String stage) {
            prewarmed.computeIfAbsent(stage, s -> java.util.concurrent.CompletableFuture.runAsync(() -> prewarm(s), initPool));
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
            if (destroy) {
                reconcileDestroy(executor, ask);
                return;
            }
            if (action == RunAction.PLAN || ask) {
                speculate();
                executor.run(stages.graph(), false, this::recheck, this::skip);
                if (action == RunAction.PLAN || anyFailed()) {
                    finish(anyFailed() ? RunStatus.FAILED : RunStatus.SUCCEEDED, null);
                    return;
                }
                if (!anyWork()) {
                    executor.run(stages.graph(), false, this::settleCurrent, this::skip);
                    finish(anyFailed() ? RunStatus.FAILED : RunStatus.SUCCEEDED, null);
                    return;
                }
                var first = withStatus(StageStatus.PLANNED);
                if (!first.isEmpty()) {
                    if (!confirm(first, StageConfirmation.CONFIRMED)) {
                        finish(RunStatus.CANCELLED, "not confirmed; nothing was applied");
                        return;
                    }
                }
                executor.run(stages.graph(), false, this::settleConfirmed, this::skip, this::confirmLater);
                finishConfirmed();
            } else {
                // --yes: every stage with an upstream stage plans at once, each applies when its upstream did
                try (var planners = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                    for (var stage : stages.graph().topologicalOrder()) {
                        if (upstreamOf(stage).isEmpty()) expectedRoots.add(stage);
                    }
                    // the roots apply first (they are on every path); speculative plans take the other slots
                    slots.expect(Math.min(expectedRoots.size(), options.parallelism()));
                    int expected = 0;
                    for (var stage : stages.graph().topologicalOrder()) {
                        if (expectedRoots.contains(stage) && expected++ >= options.parallelism()) expectedRoots.remove(stage);
                    }
                    for (var stage : stages.graph().topologicalOrder()) {
                        if (upstreamOf(stage).isEmpty()) continue;
                        speculated.put(stage, java.util.concurrent.CompletableFuture.runAsync(
                                () -> withSpeculativeSlot(() -> plan(stage, false, stored(), StagePlanning.SPECULATIVE)), planners));
                    }
                    executor.run(stages.graph(), false, this::convergeSpeculated, this::skip);
                }
                finish(anyFailed() ? RunStatus.FAILED : RunStatus.SUCCEEDED, null);
            }
        }

        /** Destroy keeps the reverse order: each stage is planned and destroyed after the stages that depend on it. */
        private void reconcileDestroy(DagExecutor executor, boolean ask) {
            if (ask) {
                executor.run(stages.graph(), true, stage -> plan(stage, true, upstream(), null), this::skip);
                if (anyFailed()) {
                    finish(RunStatus.FAILED, null);
                    return;
                }
                if (!anyWork()) {
                    executor.run(stages.graph(), true, this::settle, this::skip);
                    finish(anyFailed() ? RunStatus.FAILED : RunStatus.SUCCEEDED, null);
                    return;
                }
                var first = withStatus(StageStatus.PLANNED);
                if (!first.isEmpty() && !confirm(first, StageConfirmation.CONFIRMED)) {
                    finish(RunStatus.CANCELLED, "not confirmed; nothing was destroyed");
                    return;
                }
                executor.run(stages.graph(), true, this::settleConfirmed, this::skip, this::confirmLater);
                finishConfirmed();
            } else {
                executor.run(stages.graph(), true, stage -> converge(stage, true), this::skip);
                finish(anyFailed() ? RunStatus.FAILED : RunStatus.SUCCEEDED, null);
            }
        }

        /**
         * Plans every stage at once (at most {@code parallelism} together), each from the outputs its
         * upstream stages stored at their last apply. A stage with an input that has no stored value
         * yet is deferred.
         */
        private void speculate() {
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(options.parallelism(),
                    Thread.ofPlatform().name("cairn-plan-", 0).daemon().factory())) {
                for (var stage : stages.graph().topologicalOrder()) {
                    pool.submit(() -> plan(stage, false, stored(), StagePlanning.SPECULATIVE));
                }
            }
        }

        /**
         * After every speculative plan, in DAG order: renders the stage again from its upstream
         * stages' planned outputs. Same inputs: the plan stands. An input now unknown (an upstream
         * plan makes it known only after apply): the plan is discarded and the stage deferred, to be
         * planned again after its upstream applies. A known but different input: planned again now.
         * A deferred stage whose inputs are now known is planned.
         */
        boolean recheck(String stage) {
            try {
                var r = result(stage);
                if (r.status() == StageStatus.FAILED) {
                    // a speculative plan can fail on stale inputs: it stands only when the inputs are the same now
                    if (!attempted.containsKey(stage)) return false;
                    var dir = prepare(stage, upstream());
                    if (dir != null && StageRunner.inputsFingerprint(dir).equals(attempted.get(stage))) return false;
                    discard(stage);
                    update(result(stage).retried().with(StageStatus.DEFERRED));
                    if (dir == null) return true;
                    return plan(stage, false, upstream(), StagePlanning.REDONE);
                }
                if (r.status() == StageStatus.DEFERRED) {
                    if (upstreamOf(stage).stream().noneMatch(u -> current.containsKey(u))) return true;
                    return plan(stage, false, upstream(), StagePlanning.AFTER_UPSTREAM);
                }
                var dir = prepare(stage, upstream());
                if (dir == null) {
                    discard(stage);
                    update(result(stage).with(StageStatus.DEFERRED));
                    return true;
                }
                if (StageRunner.inputsFingerprint(dir).equals(r.planInputs())) return true;
                discard(stage);
                return plan(stage, false, upstream(), StagePlanning.REDONE);
            } catch (RuntimeException e) {
                return fail(stage, e);
            }
        }

        /** Forgets a stage's speculative plan: its planned outputs no longer stand for it. */
        private void discard(String stage) {
            discarded.add(stage);
            current.remove(stage);
            plans.remove(stage);
        }

        /**
         * A {@code --yes} apply step: a stage with no upstream stage plans and applies in one
         * command; one whose inputs were unknown at the start does so now; else its speculative
         * plan is applied when it was made from the inputs the stage has now, and redone (planned
         * and applied in one command) when not.
         */
        boolean convergeSpeculated(String stage) {
            var future = speculated.get(stage);
            if (future == null) {
                // first thing: a root counted ahead must take its slot, or the speculative plans would wait for it forever
                return withSlot(expectedRoots.remove(stage), () -> {
                    upstreamDone(stage);
                    update(result(stage).withPlanning(StagePlanning.DIRECT, null));
                    return converge(stage, false);
                });
            }
            future.exceptionally(e -> null).join();
            upstreamDone(stage);
            try {
                var r = result(stage);
                if (r.status() == StageStatus.FAILED) {
                    // a speculative plan can fail on stale inputs: the failure stands only when the inputs are the same now
                    if (!attempted.containsKey(stage)) return false;
                    var dir = prepare(stage, upstream());
                    if (dir != null && StageRunner.inputsFingerprint(dir).equals(attempted.get(stage))) return false;
                    discard(stage);
                    update(result(stage).retried().withPlanning(StagePlanning.REDONE, null));
                    return withSlot(() -> converge(stage, false));
                }
                if (r.status() == StageStatus.DEFERRED) {
                    update(result(stage).withPlanning(StagePlanning.AFTER_UPSTREAM, null));
                    return withSlot(() -> converge(stage, false));
                }
                if (!stillCurrent(stage)) {
                    discard(stage);
                    update(result(stage).withPlanning(StagePlanning.REDONE, null));
                    return withSlot(() -> converge(stage, false));
                }
                if (!withSlot(() -> settle(stage))) return false;
                if (result(stage).status() == StageStatus.APPLIED) update(result(stage).withConfirmation(StageConfirmation.AUTO));
                return true;
            } catch (RuntimeException e) {
                return fail(stage, e);
            }
        }

        /** Renders the stage from its upstream stages' outputs now: true when its saved plan was made from exactly that. */
        private boolean stillCurrent(String stage) {
            var dir = prepare(stage, upstream());
            return dir != null && StageRunner.inputsFingerprint(dir).equals(result(stage).planInputs());
        }

        /** {@link #settle}, after checking that the stage's plan was made from the inputs it has now (else it is redone). */
        boolean settleCurrent(String stage) {
            upstreamDone(stage);
            try {
                var r = result(stage);
                if (r.status() != StageStatus.DEFERRED && r.plan() != null && !stillCurrent(stage)) {
                    discard(stage);
                    if (!plan(stage, false, upstream(), StagePlanning.REDONE)) return false;
                }
                return settle(stage);
            } catch (RuntimeException e) {
                return fail(stage, e);
            }
        }

        /** The stage's upstream stages are done: what it runs from now on depends on them. */
        private void upstreamDone(String stage) {
            times(stage).upstreamDone();
            if (waited.containsKey(stage)) return;
            var last = upstreamOf(stage).stream().map(this::result).filter(java.util.Objects::nonNull)
                    .map(StageResult::finishedAt).filter(java.util.Objects::nonNull).max(Instant::compareTo);
            var ready = readyAt.getOrDefault(stage, started);
            waited.put(stage, last.map(l -> Math.max(0, java.time.Duration.between(ready, l).toMillis())).orElse(0L));
        }

        private boolean withSlot(java.util.function.BooleanSupplier work) {
            return withSlot(false, work);
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

        private void refuseWhenStopping() {
            if (stopping) throw new StageFailedException("interrupted (the process was stopped)");
        }

        /** Runs a DAG step's terraform work in a slot; {@code expected}: a root counted ahead. */
        private boolean withSlot(boolean expected, java.util.function.BooleanSupplier work) {
            try {
                slots.acquireUrgent(expected);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            try {
                refuseWhenStopping();
                return work.getAsBoolean();
            } finally {
                slots.release();
            }
        }

        /** Runs a speculative plan in a slot nobody on the DAG's path waits for. */
        private boolean withSpeculativeSlot(java.util.function.BooleanSupplier work) {
            try {
                slots.acquireSpeculative();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            try {
                return !stopping && work.getAsBoolean();
            } finally {
                slots.release();
            }
        }

        /** The stages this one waits for in the run's order. */
        private List<String> upstreamOf(String stage) {
            var graph = stages.graph();
            var of = action == RunAction.DESTROY ? graph.dependentsOf(stage) : graph.dependenciesOf(stage);
            var out = new ArrayList<String>();
            for (var s : graph.topologicalOrder()) {
                if (of.contains(s)) out.add(s);
            }
            return out;
        }

        private CommandTimes times(String stage) {
            return times.computeIfAbsent(stage, s -> new CommandTimes());
        }

        private StageRunner runner(String stage) {
            return runner.timedBy(times(stage));
        }

        /** What speculative plans are made from: the outputs stored by the last apply, nothing of this run. */
        private StageRenderer.Upstream stored() {
            return StageRenderer.Upstream.of(stored);
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
            upstreamDone(stage);
            try {
                var before = result(stage);
                if (before.status() == StageStatus.DEFERRED) {
                    if (!plan(stage, action == RunAction.DESTROY, upstream(), laterPlanning(stage))) return DagExecutor.Step.FAILED;
                    if (result(stage).status() == StageStatus.DEFERRED) {
                        fail(stage, new StageFailedException("inputs still unknown after every upstream stage applied"));
                        return DagExecutor.Step.FAILED;
                    }
                } else if (action != RunAction.DESTROY && before.plan() != null
                        && (before.status() == StageStatus.PLANNED || before.status() == StageStatus.NO_CHANGES) && !stillCurrent(stage)) {
                    // an upstream apply changed what this plan was made from: never apply it; what is planned now is unseen
                    discard(stage);
                    update(result(stage).withConfirmation(null));
                    if (!plan(stage, false, upstream(), StagePlanning.REDONE)) return DagExecutor.Step.FAILED;
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

        /**
         * Plans one stage from {@code up}; DEFERRED when an input depends on an upstream value known
         * only after apply. Records how the plan was made and the fingerprint of what it was made from.
         */
        boolean plan(String stage, boolean destroy, StageRenderer.Upstream up, StagePlanning planning) {
            try {
                awaitPrewarm(stage);
                update(result(stage).with(StageStatus.PLANNING));
                if (destroy && !stored.containsKey(stage)) {
                    update(result(stage).withPlan(dev.cairn.reconciler.terraform.PlanSummary.EMPTY).with(StageStatus.NO_CHANGES));
                    return true;
                }
                var dir = prepare(stage, up);
                if (dir == null) {
                    update(result(stage).with(StageStatus.DEFERRED));
                    readyAt.put(stage, Instant.now());
                    // its init need not wait for its upstream apply when its backend is known
                    if (!destroy) prewarmLater(stage);
                    return true;
                }
                var inputs = StageRunner.inputsFingerprint(dir);
                attempted.put(stage, inputs);
                var log = log(stage);
                var timed = runner(stage);
                timed.init(dir, log, redactor);
                if (stages.get(stage).source() instanceof ModuleSource.Registry) fetcher.exportRegistryOutputs(dir);
                var planned = timed.plan(dir, destroy, log, redactor, withValues && !destroy);
                plans.put(stage, planned);
                if (planned.plannedOutputs() != null) {
                    planned.plannedOutputs().values().forEach(v -> {
                        if (v.sensitive()) redactor.add(v.value());
                    });
                    if (!destroy) current.put(stage, planned.plannedOutputs());
                }
                var summary = planned.summary();
                update(result(stage).withPlan(summary).with(summary.hasChanges() ? StageStatus.PLANNED : StageStatus.NO_CHANGES)
                        .withPlanning(planning, inputs));
                readyAt.put(stage, Instant.now());
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
                var dir = prepare(stage, upstream());
                if (dir == null) throw new StageFailedException("inputs still unknown after every upstream stage applied");
                var log = log(stage);
                var timed = runner(stage);
                timed.init(dir, log, redactor);
                if (stages.get(stage).source() instanceof ModuleSource.Registry) fetcher.exportRegistryOutputs(dir);
                var applied = timed.applyDirect(dir, destroy, log, redactor);
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
                    if (!plan(stage, action == RunAction.DESTROY, upstream(), laterPlanning(stage))) return false;
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
                        runner(stage).apply(dir, log, redactor);
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
                    values = runner(stage).apply(dir, log, redactor);
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
            return runner(stage).outputs(dir, log, redactor);
        }

        /** How a deferred stage's plan, made now, counts: redone when a speculative plan of it was discarded. */
        private StagePlanning laterPlanning(String stage) {
            if (action == RunAction.DESTROY) return null;
            return discarded.contains(stage) ? StagePlanning.REDONE : StagePlanning.AFTER_UPSTREAM;
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
        private Path prepare(String stage, StageRenderer.Upstream up) {
            var rendered = renderer.render(stages, stage, up, workspace.workDir(infra.name(), stage));
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
            // a speculative plan still running would record its result over the skip
            var speculative = speculated.get(stage);
            if (speculative != null) speculative.exceptionally(e -> null).join();
            update(result(stage).skipped(StageCompletion.skippedBecause(because)));
        }

        private StageResult result(String stage) {
            return run.stage(stage);
        }

        private synchronized void update(StageResult result) {
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
