package dev.cairn.reconciler.graph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The stages of one infrastructure and what each depends on. Nodes keep the order they were
 * added in (built-in stages first), so ties are broken the same way every time.
 */
public final class StageGraph {
    private final Map<String, Set<String>> dependencies = new LinkedHashMap<>();

    public void addStage(String name) {
        dependencies.putIfAbsent(name, new LinkedHashSet<>());
    }

    public void addDependency(String stage, String dependsOn) {
        addStage(stage);
        dependencies.get(stage).add(dependsOn);
    }

    public Set<String> stages() {
        return Collections.unmodifiableSet(dependencies.keySet());
    }

    public Set<String> dependenciesOf(String stage) {
        return Collections.unmodifiableSet(dependencies.getOrDefault(stage, Set.of()));
    }

    public Set<String> dependentsOf(String stage) {
        var out = new LinkedHashSet<String>();
        dependencies.forEach((s, deps) -> {
            if (deps.contains(stage)) out.add(s);
        });
        return out;
    }

    /** Every stage that depends on {@code stage}, directly or not. */
    public Set<String> transitiveDependents(String stage) {
        var out = new LinkedHashSet<String>();
        var queue = new ArrayDeque<>(dependentsOf(stage));
        while (!queue.isEmpty()) {
            var s = queue.poll();
            if (out.add(s)) queue.addAll(dependentsOf(s));
        }
        return out;
    }

    /** A cycle as a path {@code a → b → a}, if there is one. */
    public Optional<List<String>> findCycle() {
        var state = new LinkedHashMap<String, Integer>(); // 1 = on stack, 2 = done
        var stack = new ArrayList<String>();
        for (var start : dependencies.keySet()) {
            var cycle = visit(start, state, stack);
            if (cycle != null) return Optional.of(cycle);
        }
        return Optional.empty();
    }

    private List<String> visit(String node, Map<String, Integer> state, List<String> stack) {
        var s = state.get(node);
        if (s != null && s == 2) return null;
        if (s != null && s == 1) {
            var cycle = new ArrayList<>(stack.subList(stack.indexOf(node), stack.size()));
            cycle.add(node);
            return cycle;
        }
        state.put(node, 1);
        stack.add(node);
        for (var dep : dependencies.getOrDefault(node, Set.of())) {
            if (!dependencies.containsKey(dep)) continue;
            var cycle = visit(dep, state, stack);
            if (cycle != null) return cycle;
        }
        stack.remove(stack.size() - 1);
        state.put(node, 2);
        return null;
    }

    /**
     * Stages grouped in waves: every stage of a wave depends only on stages of earlier waves, so
     * the stages of one wave can run in parallel.
     */
    public List<List<String>> waves() {
        if (findCycle().isPresent()) throw new IllegalStateException("the stage graph has a cycle");
        var level = new LinkedHashMap<String, Integer>();
        for (var stage : dependencies.keySet()) levelOf(stage, level);
        var waves = new ArrayList<List<String>>();
        for (var stage : dependencies.keySet()) {
            int l = level.get(stage);
            while (waves.size() <= l) waves.add(new ArrayList<>());
            waves.get(l).add(stage);
        }
        return waves;
    }

    private int levelOf(String stage, Map<String, Integer> level) {
        var known = level.get(stage);
        if (known != null) return known;
        int l = 0;
        for (var dep : dependencies.getOrDefault(stage, Set.of())) {
            if (dependencies.containsKey(dep)) l = Math.max(l, levelOf(dep, level) + 1);
        }
        level.put(stage, l);
        return l;
    }

    /** Stages in an order where each comes after what it depends on. */
    public List<String> topologicalOrder() {
        return waves().stream().flatMap(List::stream).toList();
    }

    public String toMermaid() {
        var out = new StringBuilder("flowchart LR\n");
        for (var stage : dependencies.keySet()) out.append("  ").append(stage).append('\n');
        for (var e : dependencies.entrySet()) {
            for (var dep : new TreeSet<>(e.getValue())) out.append("  ").append(dep).append(" --> ").append(e.getKey()).append('\n');
        }
        return out.toString();
    }

    public String toDot(String name) {
        var out = new StringBuilder("digraph \"" + name + "\" {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n");
        var waves = waves();
        for (int i = 0; i < waves.size(); i++) {
            out.append("  { rank=same;");
            for (var s : waves.get(i)) out.append(" \"").append(s).append("\";");
            out.append(" }\n");
        }
        for (var e : dependencies.entrySet()) {
            for (var dep : new TreeSet<>(e.getValue())) {
                out.append("  \"").append(dep).append("\" -> \"").append(e.getKey()).append("\";\n");
            }
        }
        return out.append("}\n").toString();
    }
}
