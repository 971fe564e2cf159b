package dev.cairn.reconciler.run;

import dev.cairn.reconciler.graph.StageGraph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which stages of a run start next: a pure function of the stage graph and the outcomes so far,
 * shared by the local executor and the state machine's Next step. A stage starts when everything
 * it waits for has succeeded; a failure makes every stage that waits on it, transitively, skipped
 * (with the failed stage as the cause). In reverse order (destroy) a stage waits for its dependents.
 */
public final class Scheduler {

    public enum Outcome { SUCCEEDED, FAILED, SKIPPED }

    /**
     * @param start   stages to start now, in the graph's order
     * @param skipped stages newly skipped, each with the failed stage that caused it
     * @param done    nothing is running and nothing can start: the run is over
     */
    public record Next(List<String> start, Map<String, String> skipped, boolean done) {
    }

    private Scheduler() {
    }

    /**
     * @param running  stages started and not finished
     * @param outcomes finished stages (skipped ones included once reported)
     * @param limit    at most this many stages running at once ({@code running} counts); &lt;= 0: no limit
     */
    public static Next next(StageGraph graph, boolean reverse, Set<String> running, Map<String, Outcome> outcomes, int limit) {
        var skipped = new LinkedHashMap<String, String>();
        for (var entry : outcomes.entrySet()) {
            if (entry.getValue() != Outcome.FAILED) continue;
            for (var blocked : waitingOn(graph, reverse, entry.getKey())) {
                if (!outcomes.containsKey(blocked) && !running.contains(blocked)) skipped.putIfAbsent(blocked, entry.getKey());
            }
        }
        var start = new ArrayList<String>();
        int free = limit <= 0 ? Integer.MAX_VALUE : limit - running.size();
        for (var stage : graph.stages()) {
            if (start.size() >= free) break;
            if (outcomes.containsKey(stage) || running.contains(stage) || skipped.containsKey(stage)) continue;
            var waitsFor = reverse ? graph.dependentsOf(stage) : graph.dependenciesOf(stage);
            if (waitsFor.stream().filter(graph.stages()::contains).allMatch(s -> outcomes.get(s) == Outcome.SUCCEEDED)) {
                start.add(stage);
            }
        }
        boolean done = start.isEmpty() && running.isEmpty()
                && graph.stages().stream().allMatch(s -> outcomes.containsKey(s) || skipped.containsKey(s));
        return new Next(List.copyOf(start), skipped, done);
    }

    /** Everything that waits on {@code stage}, transitively: its dependents, or in reverse its dependencies. */
    private static Set<String> waitingOn(StageGraph graph, boolean reverse, String stage) {
        if (!reverse) return graph.transitiveDependents(stage);
        var out = new java.util.LinkedHashSet<String>();
        var todo = new ArrayDeque<>(graph.dependenciesOf(stage));
        while (!todo.isEmpty()) {
            var s = todo.poll();
            if (graph.stages().contains(s) && out.add(s)) todo.addAll(graph.dependenciesOf(s));
        }
        return out;
    }
}
