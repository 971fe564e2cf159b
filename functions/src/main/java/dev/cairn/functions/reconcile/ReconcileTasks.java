package dev.cairn.functions.reconcile;

import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.bundle.AheadReport;
import dev.cairn.reconciler.bundle.BundleKeys;
import dev.cairn.reconciler.bundle.StageBundle;
import dev.cairn.reconciler.bundle.StageReport;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.Redactor;
import dev.cairn.reconciler.run.StageCompletion;
import dev.cairn.reconciler.store.OutputStore;
import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.Scheduler;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.StagePlanning;
import dev.cairn.reconciler.run.StageTimings;
import dev.cairn.reconciler.store.BlobStore;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.store.RunStore;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The decisions behind the state machine's task steps, over the core's stores and scheduler. Every
 * step reads and writes ids only; every write of the run record is conditional on its version and
 * retried on a conflict (the stage branches of one Map run in parallel).
 */
public final class ReconcileTasks {
    /** Backstop only: every path ends in Finish, which releases the lock; NextStages renews it. */
    static final Duration LEASE = Duration.ofHours(26);
    private static final DateTimeFormatter RUN_ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final int MAX_ERROR = 500;

    private final RunStore runs;
    private final OutputStore outputs;
    private final BlobStore blobs;
    private final StageCompletion completion;
    private final LockStore locks;
    private final RunGraphs graphs;
    private final StagePlanner planner;
    private final ApprovalStore approvals;
    private final RunNotifier notifier;
    private final Duration approvalTimeout;
    private final Clock clock;

    public ReconcileTasks(RunStore runs, OutputStore outputs, LockStore locks, BlobStore blobs, StagePlanner planner,
                          ApprovalStore approvals, RunNotifier notifier, Duration approvalTimeout, Clock clock) {
        this.runs = runs;
        this.outputs = outputs;
        this.blobs = blobs;
        this.completion = new StageCompletion(runs, outputs);
        this.locks = locks;
        this.graphs = new RunGraphs(blobs);
        this.planner = planner;
        this.approvals = approvals;
        this.notifier = notifier;
        this.approvalTimeout = approvalTimeout;
        this.clock = clock;
    }

    /**
     * @param planAhead    the run starts with one plan-ahead build ({@code cairn stage plan_ahead}) of the bundles
     *                     Prepare rendered at {@link BundleKeys#aheadBundle}
     * @param aheadRoleArn the role that build assumes (the stages' {@code spec.provider.roleArn}; empty: the build's own)
     */
    public record Prepared(String runId, int parallelism, boolean planAhead, String aheadRoleArn) {
        public Prepared(String runId, int parallelism) {
            this(runId, parallelism, false, "");
        }
    }

    /** One stage to start: its id and how its build runs (no plan data). */
    /** @param planStep the `cairn stage` step of Plan: {@code plan}, or {@code destroy_plan} in a destroy run */
    public record StageStart(String name, boolean planApply, String planStep, String computeType, String environmentType, String image,
                             String roleArn, long approvalTimeoutSeconds) {
    }

    public record Next(List<StageStart> start, boolean done) {
    }

    /**
     * Takes the leased lock with the execution's ARN, stores the stage plan and creates the run.
     * Idempotent: a retried Prepare of the same execution finds its own lock and run.
     */
    public Prepared prepare(String infrastructure, RunAction action, String commit, String ref, String trigger, String executionArn) throws Exception {
        return prepare(infrastructure, action, commit, ref, trigger, executionArn, List.of());
    }

    /**
     * As {@link #prepare(String, RunAction, String, String, String, String)}, the run limited to
     * {@code stages} ({@code /infra plan prod --stage network}; empty: every stage), as
     * {@link StagePlanner.Planned#limitedTo} says. A stage the infrastructure lacks, or a destroy
     * that would leave an applied dependent without its upstream, fails Prepare with the reason,
     * recorded on a failed run (Finish then releases the lock).
     */
    public Prepared prepare(String infrastructure, RunAction action, String commit, String ref, String trigger, String executionArn,
                            List<String> stages) throws Exception {
        // a preview holds a lease of its own, never the infrastructure's lock (Previews)
        boolean preview = action == RunAction.PLAN && Previews.isPreview(trigger);
        var lockName = preview ? Previews.lease(infrastructure, Previews.executionKey(executionArn)) : infrastructure;
        var held = locks.owner(lockName).filter(o -> executionArn.equals(o.executionArn()));
        var own = held.flatMap(o -> runs.get(infrastructure, o.runId()));
        if (own.isPresent()) {
            // a retry: a run refused here stays refused
            if (own.get().status() == RunStatus.FAILED && own.get().stages().isEmpty()) throw new IllegalArgumentException(own.get().error());
            return new Prepared(held.get().runId(), graphs.load(infrastructure, held.get().runId()).parallelism());
        }
        var now = clock.instant();
        var runId = held.map(LockStore.LockOwner::runId).orElseGet(() -> preview ? Previews.runId(RUN_ID_TIME.format(now), executionArn)
                : RUN_ID_TIME.format(now) + "-" + shortHash(executionArn));
        if (held.isEmpty()) {
            locks.acquire(lockName, new LockStore.LockOwner(runId, "step-functions", 0, now, now.plus(LEASE), executionArn));
        }
        StagePlanner.Planned full = null;
        StagePlanner.Planned planned;
        try {
            full = planner.plan(new StagePlanner.Request(infrastructure, action, commit, ref,
                    preview ? Previews.onto(trigger).orElse(null) : null));
            planned = full.limitedTo(stages);
            if (action == RunAction.DESTROY && !stages.isEmpty()) refuseOrphans(infrastructure, full, stages);
        } catch (IllegalArgumentException | dev.cairn.reconciler.diag.InvalidInputException refused) {
            throw refuse(new Run(runId, infrastructure, action, RunStatus.FAILED, trigger, commit, now, clock.instant(), List.of(),
                    new LinkedHashMap<>(), refused.getMessage(), 0, executionArn), full, refused);
        }
        graphs.save(infrastructure, runId, planned);
        var results = new LinkedHashMap<String, StageResult>();
        for (var stage : planned.graph().stages()) results.put(stage, StageResult.pending(stage));
        var run = new Run(runId, infrastructure, action, RunStatus.RUNNING, trigger, commit, now, null,
                planned.graph().waves(), results, null, 0, executionArn);
        runs.put(run);
        notifier.runStarted(run);
        boolean ahead = renderAhead(run, planned);
        return new Prepared(runId, Math.max(1, planned.parallelism()), ahead, ahead ? planned.policy(planned.graph().stages().iterator().next()).roleArn() : "");
    }

    /**
     * Renders every stage it can from the outputs stored now into {@link BundleKeys#aheadBundle},
     * for the run's one plan-ahead build, when that build can spare builds: an apply or plan run
     * (no destroy, no preview) of 2+ stages where a stage beyond the roots has every upstream
     * stage's outputs stored. A stage that cannot be rendered (an input known only after an
     * upstream apply, or any other error) is just not planned ahead.
     *
     * @return whether the run starts with the plan-ahead build
     */
    private boolean renderAhead(Run run, StagePlanner.Planned planned) {
        var graph = planned.graph();
        if (run.action() == RunAction.DESTROY || isPreview(run) || graph.stages().size() < 2) return false;
        var stored = outputs.all(run.infrastructure());
        boolean worth = graph.stages().stream().anyMatch(stage -> !graph.dependenciesOf(stage).isEmpty()
                && stored.keySet().containsAll(graph.dependenciesOf(stage)));
        if (!worth) return false;
        int rendered = 0;
        for (var stage : graph.stages()) {
            try {
                var bundle = planner.render(run, stage, stored);
                if (bundle.isEmpty()) continue;
                blobs.put(BundleKeys.aheadBundle(run.infrastructure(), run.id(), stage), bundle.get().zip());
                rendered++;
            } catch (Exception notAhead) {
                // the stage gets its normal Render and build
            }
        }
        return rendered > 0;
    }

    /**
     * Records a run Prepare refused (a manifest that does not load, an unknown stage, an orphaning
     * destroy) as failed with the reason, tells people, and returns the refusal to throw: Finish
     * then releases the lock or lease. {@code full} is null when the manifest did not load.
     */
    private RuntimeException refuse(Run failed, StagePlanner.Planned full, RuntimeException refused) {
        if (runs.get(failed.infrastructure(), failed.id()).isEmpty()) runs.put(failed);
        graphs.save(failed.infrastructure(), failed.id(), new StagePlanner.Planned(new dev.cairn.reconciler.graph.StageGraph(), 1, Map.of(),
                full == null ? null : full.notifications()));
        notifier.runFinished(failed, Map.of());
        return refused;
    }

    /**
     * A destroy of some stages only must not leave a stage that depends on them applied: its
     * upstream would be gone under it. Refused unless those dependents are destroyed too.
     */
    private void refuseOrphans(String infrastructure, StagePlanner.Planned full, List<String> stages) {
        var applied = outputs.all(infrastructure).keySet();
        var orphans = new java.util.TreeSet<String>();
        for (var stage : stages) {
            for (var dependent : full.graph().transitiveDependents(stage)) {
                if (!stages.contains(dependent) && applied.contains(dependent)) orphans.add(dependent);
            }
        }
        if (!orphans.isEmpty()) {
            throw new IllegalArgumentException("destroying only " + String.join(", ", stages) + " would leave " + String.join(", ", orphans)
                    + " (applied, and depending on it) without its upstream: destroy those too (--stage for each) or everything");
        }
    }

    /** The scheduler over the run record: records the newly skipped stages, marks the started ones, renews the lease. */
    public Next next(String infrastructure, String runId) {
        var run = get(infrastructure, runId);
        boolean preview = isPreview(run);
        var lockName = preview ? Previews.leaseOfRun(infrastructure, runId) : infrastructure;
        if (!locks.renew(lockName, runId, clock.instant().plus(LEASE))) {
            throw new IllegalStateException("run " + runId + " no longer holds the " + (preview ? "preview lease" : "lock") + " of " + infrastructure
                    + " (taken over or force-released): it stops here");
        }
        var planned = graphs.load(infrastructure, runId);
        var starting = new ArrayList<String>();
        Scheduler.Next next;
        Run updated;
        while (true) {
            // a plan-only run defers a ready stage whose inputs are known only after an upstream apply
            if (run.action() == RunAction.PLAN) run = deferUnknown(run, planned);
            next = schedule(run, planned);
            var batch = next;
            updated = batch.skipped().isEmpty() && batch.start().isEmpty() ? run : update(infrastructure, runId, r -> {
                var changed = new LinkedHashMap<String, StageResult>();
                batch.skipped().forEach((stage, cause) -> changed.put(stage, r.stage(stage).skipped("skipped: `" + cause + "` failed")));
                for (var stage : batch.start()) changed.put(stage, r.stage(stage).with(StageStatus.PLANNING));
                return withStages(r, changed);
            });
            // one edit of the run's thread shows them all (a skipped stage is final: it waits for its turn)
            var shown = updated;
            batch.skipped().keySet().stream().findFirst().or(() -> batch.start().stream().findFirst())
                    .ifPresent(s -> notifier.stageChanged(shown, shown.stage(s)));
            var fromAhead = new ArrayList<String>();
            for (var stage : batch.start()) {
                if (recordedFromAhead(updated, stage)) fromAhead.add(stage);
                else starting.add(stage);
            }
            run = get(infrastructure, runId);
            // a stage recorded from its plan-ahead makes its dependents ready: schedule again
            if (fromAhead.isEmpty()) break;
        }
        var start = new ArrayList<StageStart>();
        for (var stage : starting) {
            var policy = planned.policy(stage);
            var compute = StageCompute.forStage(stage);
            // one build plans and applies when nothing can wait for a person: no approval, not plan-only
            boolean planApply = !policy.approval() && run.action() == RunAction.APPLY;
            var planStep = run.action() == RunAction.DESTROY ? "destroy_plan" : preview ? Previews.STEP : "plan";
            start.add(new StageStart(stage, planApply, planStep, compute.computeType(), compute.environmentType(), compute.image(),
                    policy.roleFor(preview), approvalTimeout.toSeconds()));
        }
        return new Next(List.copyOf(start), next.done() && start.isEmpty());
    }

    private static Scheduler.Next schedule(Run run, StagePlanner.Planned planned) {
        var outcomes = new LinkedHashMap<String, Scheduler.Outcome>();
        var running = new HashSet<String>();
        run.stages().forEach((stage, result) -> {
            switch (result.status()) {
                case FAILED -> outcomes.put(stage, Scheduler.Outcome.FAILED);
                case SKIPPED -> outcomes.put(stage, Scheduler.Outcome.SKIPPED);
                case PENDING -> { }
                default -> {
                    if (result.status().done()) outcomes.put(stage, Scheduler.Outcome.SUCCEEDED);
                    else running.add(stage);
                }
            }
        });
        return Scheduler.next(planned.graph(), run.action() == RunAction.DESTROY, running, outcomes, planned.parallelism());
    }

    /**
     * A stage about to start whose plan-ahead made no changes: rendered now from the current
     * outputs (as Render does); when that is the very bundle planned ahead, the stage is recorded
     * NO_CHANGES here (its stored outputs stand; planning SPECULATIVE, the ahead plan's timings) and
     * gets no build. Otherwise (no report, changes, other inputs, a failure) false: its normal build.
     */
    private boolean recordedFromAhead(Run run, String stage) {
        var stored = blobs.get(BundleKeys.ahead(run.infrastructure(), run.id(), stage));
        if (stored.isEmpty()) return false;
        try {
            var ahead = Json.MAPPER.readValue(stored.get(), AheadReport.class);
            if (ahead.status() != StageStatus.NO_CHANGES || ahead.plan() == null || ahead.plan().hasChanges()) return false;
            var now = planner.render(run, stage, outputs.all(run.infrastructure()));
            if (now.isEmpty() || !ahead.noChangesFor(StageBundle.fromZip(now.get().zip()), now.get().zip())) return false;
            var measured = ahead.timings();
            var graph = graphs.load(run.infrastructure(), run.id()).graph();
            var after = run.stages().keySet().stream().filter(graph.dependenciesOf(stage)::contains).toList();
            var timings = measured == null ? null : new StageTimings(measured.commands(), measured.commands().values().stream()
                    .mapToLong(Long::longValue).sum(), 0, after, measured.startupMillis());
            var recorded = update(run.infrastructure(), run.id(), r -> {
                var result = r.stage(stage).withPlan(ahead.plan()).withPlanning(StagePlanning.SPECULATIVE, ahead.inputsSha256());
                if (ahead.log() != null) result = result.withLog(ahead.log());
                if (timings != null) result = result.withTimings(timings);
                return r.withStage(result.with(StageStatus.NO_CHANGES));
            });
            notifier.stageChanged(recorded, recorded.stage(stage));
            return true;
        } catch (Exception unusable) {
            return false;
        }
    }

    /**
     * A plan-only run (a preview, {@code /infra plan}) plans what it can: a stage ready to start
     * whose bundle cannot be rendered, an input being known only after an upstream apply, is
     * recorded DEFERRED without a build (planned after its upstream applies, as {@code cairn plan}
     * shows it); the scheduler counts it done, so its dependents are tried in turn. A stage that
     * renders keeps its bundle for Render (a planner that renders none leaves it to Render).
     */
    private Run deferUnknown(Run run, StagePlanner.Planned planned) {
        while (true) {
            var outcomes = new LinkedHashMap<String, Scheduler.Outcome>();
            var running = new HashSet<String>();
            run.stages().forEach((stage, result) -> {
                if (result.status() == StageStatus.FAILED) outcomes.put(stage, Scheduler.Outcome.FAILED);
                else if (result.status() == StageStatus.SKIPPED) outcomes.put(stage, Scheduler.Outcome.SKIPPED);
                else if (result.status().done()) outcomes.put(stage, Scheduler.Outcome.SUCCEEDED);
                else if (result.status() != StageStatus.PENDING) running.add(stage);
            });
            var deferred = new ArrayList<String>();
            for (var stage : Scheduler.next(planned.graph(), false, running, outcomes, 0).start()) {
                try {
                    if (blobs.get(BundleKeys.bundle(run.infrastructure(), run.id(), stage)).isEmpty() && !renderInto(run, stage)) deferred.add(stage);
                } catch (UnsupportedOperationException noBundles) {
                    return run; // a planner that renders no bundles cannot tell: Render decides
                }
            }
            if (deferred.isEmpty()) return run;
            run = update(run.infrastructure(), run.id(), r -> {
                var changed = new LinkedHashMap<String, StageResult>();
                for (var stage : deferred) {
                    changed.put(stage, r.stage(stage).with(StageStatus.DEFERRED));
                }
                return withStages(r, changed);
            });
            // one edit of the run's thread shows them all
            notifier.stageChanged(run, run.stage(deferred.getFirst()));
        }
    }

    /** Renders the stage's bundle from the snapshot and the stored outputs into {@link BundleKeys#bundle}. */
    public void render(String infrastructure, String runId, String stage) throws Exception {
        var run = get(infrastructure, runId);
        // a plan-only run's Next rendered it already (deferUnknown)
        if (run.action() == RunAction.PLAN && blobs.get(BundleKeys.bundle(infrastructure, runId, stage)).isPresent()) return;
        if (!renderInto(run, stage)) {
            throw new IllegalStateException("stage `" + stage + "` has an input known only after an upstream apply; apply the upstream stages first");
        }
    }

    /** Renders the stage's bundle into {@link BundleKeys#bundle} (a preview marks it inexact); false when an input is not known yet. */
    private boolean renderInto(Run run, String stage) {
        StagePlanner.Bundle bundle;
        try {
            var rendered = planner.render(run, stage, outputs.all(run.infrastructure()));
            if (rendered.isEmpty()) return false;
            bundle = rendered.get();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("rendering stage `" + stage + "` failed: " + e.getMessage(), e);
        }
        blobs.put(BundleKeys.bundle(run.infrastructure(), run.id(), stage), bundle.zip());
        if (isPreview(run)) {
            var because = inexactBecause(run, bundle.referencedOutputs());
            if (!because.isEmpty()) update(run.infrastructure(), run.id(), r -> r.withStage(r.stage(stage).withInexact(because)));
        }
        return true;
    }

    /**
     * A preview renders every stage from the outputs of the last apply: the upstream stages of
     * this run whose plan changes one of the {@code referenced} outputs ({@code stage.output}, or any
     * of them for {@code stage.*};
     * Terraform lists an output that becomes known only after apply among the changes too), or
     * that are inexact themselves, make the stage's plan not what would happen.
     */
    static List<String> inexactBecause(Run run, java.util.Set<String> referenced) {
        var because = new java.util.TreeSet<String>();
        for (var reference : referenced) {
            int dot = reference.indexOf('.');
            if (dot <= 0) continue;
            var upstream = run.stage(reference.substring(0, dot));
            if (upstream == null) continue;
            var output = reference.substring(dot + 1);
            int end = output.indexOf('.');
            if (end > 0) output = output.substring(0, end);
            boolean changes = upstream.plan() != null && (output.equals(dev.cairn.reconciler.template.TemplateScope.ANY_OUTPUT)
                    ? !upstream.plan().outputChanges().isEmpty() : upstream.plan().outputChanges().contains(output));
            if (changes || upstream.inexactBecause() != null) because.add(upstream.stage());
        }
        return List.copyOf(because);
    }

    /**
     * After a plan: records the step's report (plan summary, saved plan and its SHA-256, which
     * {@code cairn stage apply} checks), then {@code approve}, {@code apply} or {@code record} (no
     * changes, or a plan-only run).
     */
    public String planned(String infrastructure, String runId, String stage) {
        boolean reported = completeFromReport(infrastructure, runId, stage);
        var run = get(infrastructure, runId);
        var result = run.stage(stage);
        if (reported && result != null) notifier.stageChanged(run, result);
        if (run.action() == RunAction.PLAN || result == null || result.plan() == null || !result.plan().hasChanges()) return "record";
        return graphs.load(infrastructure, runId).policy(stage).approval() ? "approve" : "apply";
    }

    /** Stores the pending approval with the waiting task's token and tells people. */
    public void approve(String infrastructure, String runId, String stage, String taskToken) {
        if (approvals == null) {
            throw new IllegalStateException("no approval store is configured: a stage that needs approval cannot wait for one");
        }
        var run = get(infrastructure, runId);
        var now = clock.instant();
        var approval = new ApprovalStore.Approval(infrastructure, runId, stage, ApprovalStore.State.PENDING, run.stage(stage).plan(),
                null, run.trigger(), taskToken, now, now.plus(approvalTimeout), null, null, null);
        approvals.request(approval);
        notifier.approvalRequested(run, approvals.get(infrastructure, runId, stage).orElse(approval));
    }

    /** The stage ended well: the step `cairn stage` ran left its status; a stage still marked running is closed here. */
    public void record(String infrastructure, String runId, String stage) {
        if (completeFromReport(infrastructure, runId, stage)) {
            var run = get(infrastructure, runId);
            notifier.stageChanged(run, run.stage(stage));
            return;
        }
        var run = update(infrastructure, runId, r -> {
            var result = r.stage(stage);
            if (result.status().done()) return r;
            StageStatus end;
            if (r.action() == RunAction.PLAN) end = StageStatus.PLANNED;
            else if (result.plan() != null && !result.plan().hasChanges()) end = StageStatus.NO_CHANGES;
            else end = r.action() == RunAction.DESTROY ? StageStatus.DESTROYED : StageStatus.APPLIED;
            return r.withStage(result.with(end));
        });
        notifier.stageChanged(run, run.stage(stage));
    }

    /** The stage failed (or was not approved): recorded with a bounded message, so the scheduler skips its dependents. */
    public void recordFailure(String infrastructure, String runId, String stage, String error, String cause, boolean notApproved) {
        String message;
        if (notApproved) {
            message = "States.Timeout".equals(error) ? "not approved: no decision within " + approvalTimeout.toSeconds() + " s"
                    : "not approved: " + firstLine(cause, "rejected");
        } else {
            message = reportedError(infrastructure, runId, stage).orElseGet(() -> envelopeMessage(error, cause));
        }
        // the failed stage's log, as its report names it (the run page and the comment's link show it)
        var log = notApproved ? Optional.<String>empty() : failedReport(infrastructure, runId, stage).map(StageReport::log).filter(l -> !l.isBlank());
        var run = update(infrastructure, runId, r -> r.withStage(log.map(l -> r.stage(stage).failed(message).withLog(l)).orElseGet(() -> r.stage(stage).failed(message))));
        notifier.stageChanged(run, run.stage(stage));
    }

    /**
     * The error the stage's build reported ({@code cairn stage} writes a failed report with
     * Terraform's message), from its {@code Error:} line on, redacted and bounded; empty when the
     * build wrote no failed report (it did not get that far).
     */
    /** The stage's report when it says the stage failed, with an error. */
    private Optional<StageReport> failedReport(String infrastructure, String runId, String stage) {
        var stored = blobs.get(BundleKeys.result(infrastructure, runId, stage));
        if (stored.isEmpty()) return Optional.empty();
        StageReport report;
        try {
            report = Json.MAPPER.readValue(stored.get(), StageReport.class);
        } catch (java.io.IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
        if (report.status() != StageStatus.FAILED || report.error() == null || report.error().isBlank() || !stage.equals(report.stage())) {
            return Optional.empty();
        }
        return Optional.of(report);
    }

    private Optional<String> reportedError(String infrastructure, String runId, String stage) {
        var failed = failedReport(infrastructure, runId, stage);
        if (failed.isEmpty()) return Optional.empty();
        var report = failed.get();
        var text = new Redactor().apply(report.error().strip());
        int at = text.indexOf("Error:");
        if (at > 0) {
            // "terraform plan failed (exit 1): Error: …": Terraform's error first, what failed after it
            var what = text.substring(0, at).strip();
            if (what.endsWith(":")) what = what.substring(0, what.length() - 1);
            text = text.substring(at) + "\n(" + what + ")";
        }
        return Optional.of(bounded(text, MAX_ERROR * 4));
    }

    /**
     * A readable message from the Step Functions error ({@code States.TaskFailed} and its cause: a
     * Lambda's {@code {"errorMessage": …}}, a build's {@code {"Build": …}}), never the raw JSON.
     */
    static String envelopeMessage(String error, String cause) {
        var name = error == null || error.isBlank() ? "error" : error;
        if (cause == null || cause.isBlank()) return name + ": no cause given";
        com.fasterxml.jackson.databind.JsonNode json;
        try {
            json = Json.MAPPER.readTree(cause);
        } catch (java.io.IOException | RuntimeException notJson) {
            return name + ": " + firstLine(cause, "no cause given");
        }
        if (json == null || !json.isObject()) return name + ": " + firstLine(cause, "no cause given");
        if (json.hasNonNull("errorMessage")) {
            var type = json.path("errorType").asText("");
            return (type.isBlank() ? name : type) + ": " + firstLine(json.path("errorMessage").asText(), "no message given");
        }
        var build = json.path("Build");
        if (build.isObject()) {
            // CodeBuild says why in the failed phase's contexts; cairn serve's stand-in in a message beside the build
            var status = "the stage's build " + build.path("BuildStatus").asText("FAILED").toLowerCase(java.util.Locale.ROOT);
            for (var phase : build.path("Phases")) {
                var phaseStatus = phase.path("PhaseStatus").asText("");
                if (phaseStatus.isEmpty() || phaseStatus.equals("SUCCEEDED")) continue;
                var context = "";
                for (var c : phase.path("Contexts")) if (!c.path("Message").asText("").isBlank()) context = c.path("Message").asText();
                return status + " in its " + phase.path("PhaseType").asText("?") + " phase"
                        + (context.isBlank() ? "" : ": " + firstLine(context, "")) + " (see the stage's log)";
            }
            var message = json.path("message").asText("");
            return status + (message.isBlank() ? "" : ": " + firstLine(message, "")) + " (see the stage's log)";
        }
        for (var field : List.of("message", "Message", "error", "Error")) {
            if (json.path(field).isTextual()) return name + ": " + firstLine(json.path(field).asText(), "no message given");
        }
        return name + " (see the stage's log)";
    }

    /**
     * Ends the run of the execution that holds the lock: records it (stages never finished count
     * as skipped, and the run as failed), notifies and releases the lock. Idempotent, and harmless for an execution that
     * never held the lock (a refused Prepare): it then touches nothing.
     *
     * @return the run's status, FAILED when this execution had no run
     */
    public RunStatus finish(String infrastructure, String executionArn, String why) {
        var lockName = infrastructure;
        var owner = locks.owner(infrastructure).filter(o -> executionArn.equals(o.executionArn()));
        if (owner.isEmpty()) {
            // a preview's execution holds its own lease instead
            lockName = Previews.lease(infrastructure, Previews.executionKey(executionArn));
            owner = locks.owner(lockName).filter(o -> executionArn.equals(o.executionArn()));
        }
        if (owner.isEmpty()) return RunStatus.FAILED;
        var runId = owner.get().runId();
        var stored = runs.get(infrastructure, runId);
        if (stored.isEmpty()) {
            locks.release(lockName, runId);
            return RunStatus.FAILED;
        }
        var run = stored.get();
        if (run.status() == RunStatus.RUNNING) {
            run = update(infrastructure, runId, r -> {
                var changed = new LinkedHashMap<String, StageResult>();
                for (var result : r.stages().values()) {
                    if (!result.status().done()) changed.put(result.stage(), result.skipped("not run: " + (why == null ? "the run ended" : why)));
                }
                var out = withStages(r, changed);
                // succeeded only when every stage ran and none failed
                boolean failed = why != null || !changed.isEmpty()
                        || out.stages().values().stream().anyMatch(s -> s.status() == StageStatus.FAILED);
                var message = why != null ? why : changed.isEmpty() ? null : "the run ended before every stage ran";
                var ended = out.finish(failed ? RunStatus.FAILED : RunStatus.SUCCEEDED, message);
                // one write: the version moves by one
                return new Run(ended.id(), ended.infrastructure(), ended.action(), ended.status(), ended.trigger(), ended.revision(),
                        ended.startedAt(), ended.finishedAt(), ended.waves(), ended.stages(), ended.error(), r.version() + 1, ended.executionArn());
            });
            notifier.runFinished(run, shownOutputs(run));
            if (driftFound(run)) notifier.driftFound(run);
        }
        locks.release(lockName, runId);
        return run.status();
    }

    /** The run's stages' latest outputs for its result message; none when they cannot be read (Finish must go on). */
    private Map<String, dev.cairn.reconciler.store.StageOutputs> shownOutputs(Run run) {
        try {
            var shown = new LinkedHashMap<>(outputs.all(run.infrastructure()));
            shown.keySet().retainAll(run.stages().keySet());
            return shown;
        } catch (RuntimeException unreadable) {
            return Map.of();
        }
    }

    /** A plan preview of a pull/merge request (its trigger, on a plan-only run). */
    static boolean isPreview(Run run) {
        return run.action() == RunAction.PLAN && Previews.isPreview(run.trigger());
    }

    /** The trigger prefix of the scheduled plan-only drift checks ({@code ScheduleFunction}). */
    static final String DRIFT_TRIGGER = "schedule:drift";

    /** A scheduled drift check (a plan-only run) whose plans have changes: what git did not make. */
    static boolean driftFound(Run run) {
        return run.action() == RunAction.PLAN && run.trigger() != null && run.trigger().startsWith(DRIFT_TRIGGER)
                && run.stages().values().stream().anyMatch(s -> s.plan() != null && s.plan().hasChanges());
    }

    /** Stage completion from the report `cairn stage` left at {@link BundleKeys#result}; false when there is none. */
    private boolean completeFromReport(String infrastructure, String runId, String stage) {
        var stored = blobs.get(BundleKeys.result(infrastructure, runId, stage));
        if (stored.isEmpty()) return false;
        StageReport report;
        try {
            report = Json.MAPPER.readValue(stored.get(), StageReport.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the stage report at " + BundleKeys.result(infrastructure, runId, stage) + " does not parse", e);
        }
        if (!infrastructure.equals(report.infrastructure()) || !runId.equals(report.runId()) || !stage.equals(report.stage())) {
            throw new IllegalStateException("the stage report at " + BundleKeys.result(infrastructure, runId, stage) + " is for another stage");
        }
        completion.complete(report, new Redactor(), timings(get(infrastructure, runId), report));
        return true;
    }

    /**
     * The stage's {@link StageTimings} from its report: the terraform commands and build start-up
     * as its build measured them, and the wait from the stage becoming ready (the last of its
     * upstream stages in the run recorded finished, else the run's start) to its first terraform
     * command. Nothing is done ahead in a build. Null for a report without timings (an older build).
     */
    private StageTimings timings(Run run, StageReport report) {
        var measured = report.timings();
        if (measured == null) return null;
        var graph = graphs.load(run.infrastructure(), run.id()).graph();
        var of = run.action() == RunAction.DESTROY ? graph.dependentsOf(report.stage()) : graph.dependenciesOf(report.stage());
        var after = run.stages().keySet().stream().filter(of::contains).toList();
        var ready = after.stream().map(run::stage).map(StageResult::finishedAt).filter(java.util.Objects::nonNull)
                .max(java.time.Instant::compareTo).orElse(run.startedAt());
        long wait = measured.terraformStartedAt() == null || ready == null ? 0
                : Math.max(0, Duration.between(ready, measured.terraformStartedAt()).toMillis());
        return new StageTimings(measured.commands(), 0, wait, after, measured.startupMillis());
    }

    /** {@code changes} applied in one new version. */
    private static Run withStages(Run run, Map<String, StageResult> changes) {
        var stages = new LinkedHashMap<>(run.stages());
        stages.putAll(changes);
        return new Run(run.id(), run.infrastructure(), run.action(), run.status(), run.trigger(), run.revision(), run.startedAt(),
                run.finishedAt(), run.waves(), stages, run.error(), run.version() + 1, run.executionArn());
    }

    private Run get(String infrastructure, String runId) {
        return runs.get(infrastructure, runId).orElseThrow(() -> new IllegalStateException("no run " + runId + " of " + infrastructure));
    }

    private Run update(String infrastructure, String runId, UnaryOperator<Run> change) {
        for (int attempt = 0; ; attempt++) {
            var next = change.apply(get(infrastructure, runId));
            try {
                runs.put(next);
                return next;
            } catch (RunStore.ConflictException raced) {
                if (attempt >= 20) throw raced;
            }
        }
    }

    private static String firstLine(String text, String otherwise) {
        if (text == null || text.isBlank()) return otherwise;
        var line = text.strip().lines().findFirst().orElse(otherwise);
        return line.length() > MAX_ERROR ? line.substring(0, MAX_ERROR) + "…" : line;
    }

    private static String bounded(String text, int max) {
        return text.length() > max ? text.substring(0, max) + "…" : text;
    }

    private static String shortHash(String text) {
        try {
            var digest = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 3);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Optional<String> text(Map<String, Object> input, String key) {
        var value = input.get(key);
        return value == null || value.toString().isBlank() ? Optional.empty() : Optional.of(value.toString());
    }
}
