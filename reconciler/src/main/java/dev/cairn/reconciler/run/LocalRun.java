package dev.cairn.reconciler.run;

import dev.cairn.reconciler.terraform.StageFailedException;
import dev.cairn.reconciler.terraform.StageRunner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The order of one local run's steps: which stages plan at once (speculatively, from the stored
 * outputs), which plans stand and which are discarded and redone when an upstream plan or apply
 * changed their inputs, when the run asks for confirmation, and which slot each terraform command
 * takes ({@link TerraformSlots}: at most {@code parallelism} at once, the stages on the DAG's path
 * first). The steps themselves are {@link StageSteps}; the run's record is in {@link RunState}.
 */
final class LocalRun {
    final RunState state;
    final StageSteps steps;
    /** Each stage's speculative plan of a {@code --yes} apply, which its apply step waits for. */
    private final Map<String, java.util.concurrent.CompletableFuture<Void>> speculated = new ConcurrentHashMap<>();
    /** At most {@code parallelism} stages run terraform at once, across the speculative plans and the applies. */
    private final TerraformSlots slots;
    /** The stages with no upstream stage that the first DAG wave starts. */
    private final Set<String> expectedRoots = ConcurrentHashMap.newKeySet();
    /** The process is being stopped: no stage starts terraform any more. */
    volatile boolean stopping;

    LocalRun(RunState state, StageSteps steps) {
        this.state = state;
        this.steps = steps;
        this.slots = new TerraformSlots(state.options.parallelism());
    }

    void run() {
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(Math.max(1, state.options.parallelism() / 2),
                Thread.ofPlatform().name("cairn-init-", 0).daemon().factory())) {
            steps.initPool = pool;
            // a speculative plan inits its stage itself at once; a destroy plans in reverse order, so init ahead
            if (state.action == RunAction.DESTROY) {
                for (var stage : state.stages.graph().topologicalOrder()) steps.prewarmLater(stage);
            }
            reconcile();
        }
    }

    private void reconcile() {
        var executor = new DagExecutor(state.options.parallelism());
        boolean destroy = state.action == RunAction.DESTROY;
        boolean ask = state.asks();
        if (destroy) {
            reconcileDestroy(executor, ask);
            return;
        }
        if (state.action == RunAction.PLAN || ask) {
            speculate();
            executor.run(state.stages.graph(), false, this::recheck, this::skip);
            if (state.action == RunAction.PLAN || state.anyFailed()) {
                state.finish(state.anyFailed() ? RunStatus.FAILED : RunStatus.SUCCEEDED, null);
                return;
            }
            if (!state.anyWork()) {
                executor.run(state.stages.graph(), false, this::settleCurrent, this::skip);
                state.finish(state.anyFailed() ? RunStatus.FAILED : RunStatus.SUCCEEDED, null);
                return;
            }
            var first = state.withStatus(StageStatus.PLANNED);
            if (!first.isEmpty()) {
                if (!confirm(first, StageConfirmation.CONFIRMED)) {
                    state.finish(RunStatus.CANCELLED, "not confirmed; nothing was applied");
                    return;
                }
            }
            executor.run(state.stages.graph(), false, this::settleConfirmed, this::skip, this::confirmLater);
            finishConfirmed();
        } else {
            // --yes: every stage with an upstream stage plans at once, each applies when its upstream did
            try (var planners = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (var stage : state.stages.graph().topologicalOrder()) {
                    if (state.upstreamOf(stage).isEmpty()) expectedRoots.add(stage);
                }
                // the roots apply first (they are on every path); speculative plans take the other slots
                slots.expect(Math.min(expectedRoots.size(), state.options.parallelism()));
                int expected = 0;
                for (var stage : state.stages.graph().topologicalOrder()) {
                    if (expectedRoots.contains(stage) && expected++ >= state.options.parallelism()) expectedRoots.remove(stage);
                }
                for (var stage : state.stages.graph().topologicalOrder()) {
                    if (state.upstreamOf(stage).isEmpty()) continue;
                    speculated.put(stage, java.util.concurrent.CompletableFuture.runAsync(
                            () -> withSpeculativeSlot(() -> steps.plan(stage, false, state.stored(), StagePlanning.SPECULATIVE)), planners));
                }
                executor.run(state.stages.graph(), false, this::convergeSpeculated, this::skip);
            }
            state.finish(state.anyFailed() ? RunStatus.FAILED : RunStatus.SUCCEEDED, null);
        }
    }

    /** Destroy keeps the reverse order: each stage is planned and destroyed after the stages that depend on it. */
    private void reconcileDestroy(DagExecutor executor, boolean ask) {
        if (ask) {
            executor.run(state.stages.graph(), true, stage -> steps.plan(stage, true, state.upstream(), null), this::skip);
            if (state.anyFailed()) {
                state.finish(RunStatus.FAILED, null);
                return;
            }
            if (!state.anyWork()) {
                executor.run(state.stages.graph(), true, steps::settle, this::skip);
                state.finish(state.anyFailed() ? RunStatus.FAILED : RunStatus.SUCCEEDED, null);
                return;
            }
            var first = state.withStatus(StageStatus.PLANNED);
            if (!first.isEmpty() && !confirm(first, StageConfirmation.CONFIRMED)) {
                state.finish(RunStatus.CANCELLED, "not confirmed; nothing was destroyed");
                return;
            }
            executor.run(state.stages.graph(), true, this::settleConfirmed, this::skip, this::confirmLater);
            finishConfirmed();
        } else {
            executor.run(state.stages.graph(), true, stage -> steps.converge(stage, true), this::skip);
            state.finish(state.anyFailed() ? RunStatus.FAILED : RunStatus.SUCCEEDED, null);
        }
    }

    /**
     * Plans every stage at once (at most {@code parallelism} together), each from the outputs its
     * upstream stages stored at their last apply. A stage with an input that has no stored value
     * yet is deferred.
     */
    private void speculate() {
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(state.options.parallelism(),
                Thread.ofPlatform().name("cairn-plan-", 0).daemon().factory())) {
            for (var stage : state.stages.graph().topologicalOrder()) {
                pool.submit(() -> steps.plan(stage, false, state.stored(), StagePlanning.SPECULATIVE));
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
            var r = state.result(stage);
            if (r.status() == StageStatus.FAILED) {
                // a speculative plan can fail on stale inputs: it stands only when the inputs are the same now
                if (!state.attempted.containsKey(stage)) return false;
                var dir = steps.prepare(stage, state.upstream());
                if (dir != null && StageRunner.inputsFingerprint(dir).equals(state.attempted.get(stage))) return false;
                state.discard(stage);
                state.update(state.result(stage).retried().with(StageStatus.DEFERRED));
                if (dir == null) return true;
                return steps.plan(stage, false, state.upstream(), StagePlanning.REDONE);
            }
            if (r.status() == StageStatus.DEFERRED) {
                if (state.upstreamOf(stage).stream().noneMatch(state.current::containsKey)) return true;
                return steps.plan(stage, false, state.upstream(), StagePlanning.AFTER_UPSTREAM);
            }
            var dir = steps.prepare(stage, state.upstream());
            if (dir == null) {
                state.discard(stage);
                state.update(state.result(stage).with(StageStatus.DEFERRED));
                return true;
            }
            if (StageRunner.inputsFingerprint(dir).equals(r.planInputs())) return true;
            state.discard(stage);
            return steps.plan(stage, false, state.upstream(), StagePlanning.REDONE);
        } catch (RuntimeException e) {
            return steps.fail(stage, e);
        }
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
                state.upstreamDone(stage);
                state.update(state.result(stage).withPlanning(StagePlanning.DIRECT, null));
                return steps.converge(stage, false);
            });
        }
        future.exceptionally(e -> null).join();
        state.upstreamDone(stage);
        try {
            var r = state.result(stage);
            if (r.status() == StageStatus.FAILED) {
                // a speculative plan can fail on stale inputs: the failure stands only when the inputs are the same now
                if (!state.attempted.containsKey(stage)) return false;
                var dir = steps.prepare(stage, state.upstream());
                if (dir != null && StageRunner.inputsFingerprint(dir).equals(state.attempted.get(stage))) return false;
                state.discard(stage);
                state.update(state.result(stage).retried().withPlanning(StagePlanning.REDONE, null));
                return withSlot(() -> steps.converge(stage, false));
            }
            if (r.status() == StageStatus.DEFERRED) {
                state.update(state.result(stage).withPlanning(StagePlanning.AFTER_UPSTREAM, null));
                return withSlot(() -> steps.converge(stage, false));
            }
            if (!steps.stillCurrent(stage)) {
                state.discard(stage);
                state.update(state.result(stage).withPlanning(StagePlanning.REDONE, null));
                return withSlot(() -> steps.converge(stage, false));
            }
            if (!withSlot(() -> steps.settle(stage))) return false;
            if (state.result(stage).status() == StageStatus.APPLIED) state.update(state.result(stage).withConfirmation(StageConfirmation.AUTO));
            return true;
        } catch (RuntimeException e) {
            return steps.fail(stage, e);
        }
    }

    /** {@link #settle}, after checking that the stage's plan was made from the inputs it has now (else it is redone). */
    boolean settleCurrent(String stage) {
        state.upstreamDone(stage);
        try {
            var r = state.result(stage);
            if (r.status() != StageStatus.DEFERRED && r.plan() != null && !steps.stillCurrent(stage)) {
                state.discard(stage);
                if (!steps.plan(stage, false, state.upstream(), StagePlanning.REDONE)) return false;
            }
            return steps.settle(stage);
        } catch (RuntimeException e) {
            return steps.fail(stage, e);
        }
    }

    /**
     * {@link #settle} for a run that asks: a plan made now (a deferred stage's, after its
     * upstream applied) has not been seen, so a stage whose plan has changes and no
     * confirmation is held until it is confirmed.
     */
    DagExecutor.Step settleConfirmed(String stage) {
        state.upstreamDone(stage);
        try {
            var before = state.result(stage);
            if (before.status() == StageStatus.DEFERRED) {
                if (!steps.plan(stage, state.action == RunAction.DESTROY, state.upstream(), state.laterPlanning(stage))) return DagExecutor.Step.FAILED;
                if (state.result(stage).status() == StageStatus.DEFERRED) {
                    steps.fail(stage, new StageFailedException("inputs still unknown after every upstream stage applied"));
                    return DagExecutor.Step.FAILED;
                }
            } else if (state.action != RunAction.DESTROY && before.plan() != null
                    && (before.status() == StageStatus.PLANNED || before.status() == StageStatus.NO_CHANGES) && !steps.stillCurrent(stage)) {
                // an upstream apply changed what this plan was made from: never apply it; what is planned now is unseen
                state.discard(stage);
                state.update(state.result(stage).withConfirmation(null));
                if (!steps.plan(stage, false, state.upstream(), StagePlanning.REDONE)) return DagExecutor.Step.FAILED;
            }
            var r = state.result(stage);
            if (r.status() == StageStatus.PLANNED && r.confirmation() != StageConfirmation.CONFIRMED
                    && r.confirmation() != StageConfirmation.CONFIRMED_LATER) {
                return DagExecutor.Step.HELD;
            }
            return steps.settle(stage) ? DagExecutor.Step.SUCCEEDED : DagExecutor.Step.FAILED;
        } catch (RuntimeException e) {
            steps.fail(stage, e);
            return DagExecutor.Step.FAILED;
        }
    }

    private boolean withSlot(java.util.function.BooleanSupplier work) {
        return withSlot(false, work);
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

    private void refuseWhenStopping() {
        if (stopping) throw new StageFailedException("interrupted (the process was stopped)");
    }

    /**
     * Shows {@code asked} and asks. Confirmed: each is marked {@code as}. Not: every stage
     * still to apply is marked not confirmed.
     */
    private boolean confirm(List<String> asked, StageConfirmation as) {
        state.options.listener().planned(state.run);
        if (state.options.confirmation().confirm(state.run, List.copyOf(asked))) {
            asked.forEach(s -> state.update(state.result(s).withConfirmation(as)));
            return true;
        }
        state.run.stages().forEach((stage, r) -> {
            if (RunState.waiting(r)) state.update(r.withConfirmation(StageConfirmation.NOT_CONFIRMED));
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
        for (var stage : state.stages.graph().topologicalOrder()) {
            if (held.contains(stage) && order.get(stage) == wave) asked.add(stage);
        }
        return confirm(asked, StageConfirmation.CONFIRMED_LATER) ? Set.copyOf(asked) : Set.of();
    }

    /** Each stage's wave in the order the run goes (reversed for destroy). */
    private Map<String, Integer> waveOrder() {
        var waves = new ArrayList<>(state.run.waves());
        if (state.action == RunAction.DESTROY) java.util.Collections.reverse(waves);
        var order = new java.util.HashMap<String, Integer>();
        for (int w = 0; w < waves.size(); w++) {
            for (var stage : waves.get(w)) order.put(stage, w);
        }
        return order;
    }

    /** The end of a confirmed run: failed, stopped at a confirmation (naming what waits), or done. */
    private void finishConfirmed() {
        if (state.anyFailed()) {
            state.finish(RunStatus.FAILED, null);
            return;
        }
        var waiting = new ArrayList<String>();
        state.run.stages().forEach((stage, r) -> {
            if (RunState.waiting(r)) waiting.add(stage);
        });
        if (waiting.isEmpty()) {
            state.finish(RunStatus.SUCCEEDED, null);
            return;
        }
        waiting.forEach(s -> {
            if (state.result(s).confirmation() != StageConfirmation.NOT_CONFIRMED) state.update(state.result(s).withConfirmation(StageConfirmation.NOT_CONFIRMED));
        });
        state.finish(RunStatus.CANCELLED, "not confirmed: " + String.join(", ", waiting) + " wait" + (waiting.size() == 1 ? "s" : "")
                + "; state.run the same command again to continue");
    }

    private void skip(String stage, String because) {
        // a speculative plan still running would record its result over the skip
        var speculative = speculated.get(stage);
        if (speculative != null) speculative.exceptionally(e -> null).join();
        state.update(state.result(stage).skipped(StageCompletion.skippedBecause(because)));
    }
}
