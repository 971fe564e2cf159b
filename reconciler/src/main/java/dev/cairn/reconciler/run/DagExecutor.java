package dev.cairn.reconciler.run;

import dev.cairn.reconciler.graph.StageGraph;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Runs one task per stage as soon as everything it waits for has succeeded, at most
 * {@code parallelism} at once. When a task fails, everything that waits on it (transitively) is
 * not started and is reported as skipped. In reverse mode (destroy) a stage waits for its dependents.
 */
public final class DagExecutor {
    public enum Outcome { SUCCEEDED, FAILED, SKIPPED }

    private final int parallelism;

    public DagExecutor(int parallelism) {
        this.parallelism = Math.max(1, parallelism);
    }

    /**
     * @param task    returns true when the stage succeeded
     * @param skipped told about each stage that will not run and the stage whose failure caused it
     */
    public Map<String, Outcome> run(StageGraph graph, boolean reverse, Predicate<String> task, BiConsumer<String, String> skipped) {
        var waitsFor = new HashMap<String, Set<String>>();
        for (var stage : graph.stages()) {
            var deps = new HashSet<>(reverse ? graph.dependentsOf(stage) : graph.dependenciesOf(stage));
            deps.retainAll(graph.stages());
            waitsFor.put(stage, deps);
        }
        var outcomes = new LinkedHashMap<String, Outcome>();
        try (var pool = Executors.newFixedThreadPool(parallelism, Thread.ofPlatform().name("cairn-stage-", 0).daemon().factory())) {
            var completion = new ExecutorCompletionService<Map.Entry<String, Boolean>>(pool);
            var started = new HashSet<String>();
            int running = 0;
            while (true) {
                for (var stage : graph.stages()) {
                    if (started.contains(stage) || outcomes.containsKey(stage)) continue;
                    if (waitsFor.get(stage).isEmpty()) {
                        started.add(stage);
                        running++;
                        completion.submit(() -> Map.entry(stage, safely(task, stage)));
                    }
                }
                if (running == 0) break;
                Map.Entry<String, Boolean> done;
                try {
                    done = completion.take().get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
                running--;
                var stage = done.getKey();
                if (done.getValue()) {
                    outcomes.put(stage, Outcome.SUCCEEDED);
                    waitsFor.values().forEach(w -> w.remove(stage));
                } else {
                    outcomes.put(stage, Outcome.FAILED);
                    var blocked = reverse ? dependenciesClosure(graph, stage) : graph.transitiveDependents(stage);
                    for (var b : blocked) {
                        if (!outcomes.containsKey(b) && !started.contains(b)) {
                            outcomes.put(b, Outcome.SKIPPED);
                            skipped.accept(b, stage);
                        }
                    }
                }
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

    private static Set<String> dependenciesClosure(StageGraph graph, String stage) {
        var out = new HashSet<String>();
        var todo = new java.util.ArrayDeque<>(graph.dependenciesOf(stage));
        while (!todo.isEmpty()) {
            var s = todo.poll();
            if (graph.stages().contains(s) && out.add(s)) todo.addAll(graph.dependenciesOf(s));
        }
        return out;
    }
}
