package dev.cairn.reconciler.run;

import dev.cairn.reconciler.graph.StageGraph;
import dev.cairn.reconciler.run.Scheduler.Outcome;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The local driver of the {@link Scheduler}: runs one task per stage on a thread pool, at most
 * {@code parallelism} at once, starting each stage as soon as the scheduler says so. The state
 * machine drives the same scheduler from its Next step.
 *
 * <p>A task may also hold its stage (a plan that waits for a confirmation): what depends on it does
 * not start, and once nothing runs the executor asks {@code release} which held stages run again.
 */
public final class DagExecutor {
    /** How a stage's task ended. */
    public enum Step { SUCCEEDED, FAILED, HELD }

    private final int parallelism;

    public DagExecutor(int parallelism) {
        this.parallelism = Math.max(1, parallelism);
    }

    /**
     * @param task    returns true when the stage succeeded (an exception counts as a failure)
     * @param skipped told about each stage that will not run and the stage whose failure caused it
     */
    public Map<String, Outcome> run(StageGraph graph, boolean reverse, Predicate<String> task, BiConsumer<String, String> skipped) {
        return run(graph, reverse, stage -> task.test(stage) ? Step.SUCCEEDED : Step.FAILED, skipped, held -> Set.of());
    }

    /**
     * @param task    runs a stage; an exception counts as a failure
     * @param release called when nothing runs and stages are held, with the held stages in the order
     *                they were held: returns those to run again (their task runs again); empty ends
     *                the run with the rest still held (absent from the outcomes)
     */
    public Map<String, Outcome> run(StageGraph graph, boolean reverse, Function<String, Step> task, BiConsumer<String, String> skipped,
                                    Function<Set<String>, Set<String>> release) {
        var outcomes = new LinkedHashMap<String, Outcome>();
        var running = new HashSet<String>();
        var held = new LinkedHashSet<String>();
        try (var pool = Executors.newFixedThreadPool(parallelism, Thread.ofPlatform().name("cairn-stage-", 0).daemon().factory())) {
            var completion = new ExecutorCompletionService<Map.Entry<String, Step>>(pool);
            while (true) {
                // held stages count as running for the scheduler: neither they nor what waits on them start
                var busy = new HashSet<>(running);
                busy.addAll(held);
                var next = Scheduler.next(graph, reverse, busy, outcomes, parallelism + held.size());
                next.skipped().forEach((stage, cause) -> {
                    outcomes.put(stage, Outcome.SKIPPED);
                    skipped.accept(stage, cause);
                });
                for (var stage : next.start()) {
                    running.add(stage);
                    completion.submit(() -> Map.entry(stage, safely(task, stage)));
                }
                if (running.isEmpty()) {
                    if (held.isEmpty()) break;
                    var again = release.apply(java.util.Collections.unmodifiableSet(new LinkedHashSet<>(held))).stream().filter(held::contains).toList();
                    if (again.isEmpty()) break;
                    for (var stage : again) {
                        held.remove(stage);
                        running.add(stage);
                        completion.submit(() -> Map.entry(stage, safely(task, stage)));
                    }
                }
                Map.Entry<String, Step> done;
                try {
                    done = completion.take().get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
                running.remove(done.getKey());
                switch (done.getValue()) {
                    case SUCCEEDED -> outcomes.put(done.getKey(), Outcome.SUCCEEDED);
                    case FAILED -> outcomes.put(done.getKey(), Outcome.FAILED);
                    case HELD -> held.add(done.getKey());
                }
            }
        }
        return outcomes;
    }

    private static Step safely(Function<String, Step> task, String stage) {
        try {
            var step = task.apply(stage);
            return step == null ? Step.FAILED : step;
        } catch (RuntimeException e) {
            return Step.FAILED;
        }
    }
}
