package dev.cairn.reconciler.run;

import dev.cairn.reconciler.graph.StageGraph;
import dev.cairn.reconciler.run.Scheduler.Outcome;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * The local driver of the {@link Scheduler}: runs one task per stage on a thread pool, at most
 * {@code parallelism} at once, starting each stage as soon as the scheduler says so. The state
 * machine drives the same scheduler from its Next step.
 */
public final class DagExecutor {
    private final int parallelism;

    public DagExecutor(int parallelism) {
        this.parallelism = Math.max(1, parallelism);
    }

    /**
     * @param task    returns true when the stage succeeded (an exception counts as a failure)
     * @param skipped told about each stage that will not run and the stage whose failure caused it
     */
    public Map<String, Outcome> run(StageGraph graph, boolean reverse, Predicate<String> task, BiConsumer<String, String> skipped) {
        var outcomes = new LinkedHashMap<String, Outcome>();
        var running = new HashSet<String>();
        try (var pool = Executors.newFixedThreadPool(parallelism, Thread.ofPlatform().name("cairn-stage-", 0).daemon().factory())) {
            var completion = new ExecutorCompletionService<Map.Entry<String, Boolean>>(pool);
            while (true) {
                var next = Scheduler.next(graph, reverse, running, outcomes, parallelism);
                next.skipped().forEach((stage, cause) -> {
                    outcomes.put(stage, Outcome.SKIPPED);
                    skipped.accept(stage, cause);
                });
                for (var stage : next.start()) {
                    running.add(stage);
                    completion.submit(() -> Map.entry(stage, safely(task, stage)));
                }
                if (running.isEmpty()) break;
                Map.Entry<String, Boolean> done;
                try {
                    done = completion.take().get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
                running.remove(done.getKey());
                outcomes.put(done.getKey(), done.getValue() ? Outcome.SUCCEEDED : Outcome.FAILED);
            }
        }
        return outcomes;
    }

    private static boolean safely(Predicate<String> task, String stage) {
        try {
            return task.test(stage);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
