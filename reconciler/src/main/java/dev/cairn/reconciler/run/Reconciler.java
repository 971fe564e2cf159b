package dev.cairn.reconciler.run;

import dev.cairn.reconciler.bundle.StageRenderer;
import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.reconciler.graph.StageCatalog;
import dev.cairn.reconciler.graph.Stages;
import dev.cairn.reconciler.manifest.Infrastructure;
import dev.cairn.reconciler.manifest.InfrastructureRepo;
import dev.cairn.reconciler.module.BuiltinModules;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.store.OutputStore;
import dev.cairn.reconciler.store.RunStore;
import dev.cairn.reconciler.template.TemplateEngine;
import dev.cairn.reconciler.terraform.StageRunner;
import dev.cairn.reconciler.terraform.TerraformBinary;
import dev.cairn.reconciler.terraform.TerraformCli;
import dev.cairn.reconciler.terraform.TerraformEnvironment;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

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
 * <p>This class is the entry point: it checks the policy, takes the infrastructure's lock, and
 * frees it however the run ends (a Ctrl-C or kill records the run as failed). A run is three
 * pieces: {@link LocalRun} orders the steps (speculation, re-checks, confirmations, terraform
 * slots), {@link StageSteps} are the steps of one stage (render, init, plan, apply, outputs), and
 * {@link RunState} holds the run record and what the steps share. Under them are the pieces the
 * state machine uses too: {@link Scheduler} (through {@link DagExecutor}) decides which stages
 * start, {@link StageRenderer} renders each stage's work dir, {@link StageRunner} runs Terraform in
 * it, and {@link StageCompletion} stores the outputs. The run record is kept in the run store by a
 * {@link RunRecorder}, off the stages' threads (the local run holds the lock, so it is the
 * record's only writer). It depends on the store interfaces only.
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
        var state = new RunState(stages, runId, action, options, runs, outputs);
        var context = new LocalRun(state, new StageSteps(state, workspace, renderer, runner, fetcher, completion));
        // Ctrl-C or a kill: terraform gets the signal too; record the run as failed and free the lock
        var onShutdown = Thread.ofPlatform().unstarted(() -> {
            // ask running terraform processes to stop gracefully (they save state), wait a little
            context.stopping = true;
            var children = ProcessHandle.current().children().toList();
            children.forEach(ProcessHandle::destroy);
            children.forEach(child -> child.onExit().completeOnTimeout(child, 30, java.util.concurrent.TimeUnit.SECONDS).join());
            state.awaitStagesRecorded(java.time.Duration.ofSeconds(10));
            if (!state.run.status().finished()) state.finish(RunStatus.FAILED, "interrupted (the process was stopped)");
            context.steps.closeLogs();
            locks.release(infrastructure, runId);
        });
        Runtime.getRuntime().addShutdownHook(onShutdown);
        try {
            context.run();
        } catch (RuntimeException e) {
            state.finish(RunStatus.FAILED, state.redactor.apply(String.valueOf(e.getMessage())));
        } finally {
            context.steps.closeLogs();
            locks.release(infrastructure, runId);
            try {
                Runtime.getRuntime().removeShutdownHook(onShutdown);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: it finds the run finished
            }
        }
        return state.run;
    }
}
