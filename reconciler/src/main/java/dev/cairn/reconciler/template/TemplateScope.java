package dev.cairn.reconciler.template;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a template can see: {@code infra}, {@code spec}, {@code vars} and {@code outputs}.
 * Every lookup goes through a {@link Tracked} view that records which stage outputs were read
 * (those become edges in the stage DAG) and which names were missing (for precise errors).
 * A stage whose outputs are not known yet can be marked open: any name resolves to {@link Unknown}.
 * Outputs can be marked sensitive: a template that reads one makes the value it renders
 * sensitive too ({@link #readSensitive}), so that the stage input it feeds is declared sensitive.
 */
public final class TemplateScope {
    /** The output name of a reference to all of a stage's outputs ({@link #referencedOutputs}). */
    public static final String ANY_OUTPUT = "*";
    private final Map<String, Object> roots = new LinkedHashMap<>();
    private final Set<String> openStages = new LinkedHashSet<>();
    private final Set<String> referencedStages = new LinkedHashSet<>();
    private final Set<String> referencedOutputs = new LinkedHashSet<>();
    private final List<String> misses = new ArrayList<>();
    private boolean sawUnknown;
    private final Set<String> sensitiveOutputs = new LinkedHashSet<>();
    private final Set<String> sensitiveInputs = new LinkedHashSet<>();
    private boolean sawSensitive;

    public TemplateScope(Map<String, Object> infra, Map<String, Object> spec, Map<String, Object> vars,
                         Map<String, Map<String, Object>> outputs) {
        roots.put("infra", new Tracked("infra", infra, false));
        roots.put("spec", new Tracked("spec", spec, false));
        roots.put("vars", new Tracked("vars", vars, false));
        roots.put("outputs", new Tracked("outputs", new LinkedHashMap<>(outputs), false));
    }

    /** Outputs of {@code stage} are not known yet: any output name resolves to {@link Unknown}. */
    public TemplateScope openStage(String stage) {
        openStages.add(stage);
        @SuppressWarnings("unchecked")
        var outputs = (Map<String, Object>) ((Tracked) roots.get("outputs")).delegate;
        outputs.putIfAbsent(stage, Map.of());
        return this;
    }

    /** {@code stage.output} holds a secret: whatever is rendered from it is sensitive too. */
    public TemplateScope markSensitive(String stage, String output) {
        sensitiveOutputs.add(stage + "." + output);
        return this;
    }

    /** Starts tracking whether the next rendered value reads a sensitive output. */
    public void beginValue() {
        sawSensitive = false;
    }

    /** Whether a sensitive output was read since {@link #beginValue}. */
    public boolean readSensitive() {
        return sawSensitive;
    }

    /** Records a stage input whose rendered value came from a sensitive output. */
    public void markSensitiveInput(String variable) {
        sensitiveInputs.add(variable);
    }

    /** Stage inputs rendered from sensitive outputs. */
    public Set<String> sensitiveInputs() {
        return sensitiveInputs;
    }

    /** Reading {@code path} (the outputs root, a stage's outputs, or one output) exposes a sensitive value. */
    private void noteSensitive(String path) {
        if (sensitiveOutputs.isEmpty()) return;
        if (path.equals("outputs")) {
            sawSensitive = true;
            return;
        }
        if (!path.startsWith("outputs.")) return;
        var rest = path.substring(8);
        var dot = rest.indexOf('.');
        var bracket = rest.indexOf('[');
        int end = dot < 0 ? bracket : bracket < 0 ? dot : Math.min(dot, bracket);
        if (end < 0) {
            // a whole stage's outputs
            for (var o : sensitiveOutputs) if (o.startsWith(rest + ".")) sawSensitive = true;
            return;
        }
        var stage = rest.substring(0, end);
        var next = rest.indexOf('.', end + 1);
        var nextBracket = rest.indexOf('[', end + 1);
        int outputEnd = next < 0 ? nextBracket : nextBracket < 0 ? next : Math.min(next, nextBracket);
        var output = rest.substring(end + 1, outputEnd < 0 ? rest.length() : outputEnd);
        if (sensitiveOutputs.contains(stage + "." + output)) sawSensitive = true;
    }

    Map<String, Object> roots() {
        return roots;
    }

    void beginEvaluation() {
        misses.clear();
    }

    String lastMiss() {
        return misses.isEmpty() ? null : misses.get(misses.size() - 1);
    }

    public Set<String> referencedStages() {
        return referencedStages;
    }

    /**
     * {@code stage.output} pairs read by the templates rendered so far; {@code stage.}{@value #ANY_OUTPUT}
     * when a template took a stage's outputs whole (a map value, a loop over them), so that a change
     * to any of them, or a new one, counts.
     */
    public Set<String> referencedOutputs() {
        return referencedOutputs;
    }

    public boolean sawUnknown() {
        return sawUnknown;
    }

    public void resetUnknown() {
        sawUnknown = false;
    }

    /** Names that exist at {@code path} (for "did you mean" hints). */
    Set<String> namesAt(String path) {
        Object node = roots;
        for (var part : path.split("\\.")) {
            if (node instanceof Tracked t) node = t.delegate;
            if (!(node instanceof Map<?, ?> map) || !map.containsKey(part)) return Set.of();
            node = map.get(part);
        }
        if (node instanceof Tracked t) node = t.delegate;
        if (node instanceof Map<?, ?> map) {
            var names = new LinkedHashSet<String>();
            map.keySet().forEach(k -> names.add(String.valueOf(k)));
            return names;
        }
        return Set.of();
    }

    /** A read-only map view that records reads and misses. */
    final class Tracked extends AbstractMap<String, Object> {
        private final String path;
        private final Map<String, Object> delegate;
        private final boolean open;

        @SuppressWarnings("unchecked")
        Tracked(String path, Map<String, ?> delegate, boolean open) {
            this.path = path;
            this.delegate = (Map<String, Object>) (delegate == null ? Map.of() : delegate);
            this.open = open;
        }

        @Override
        public boolean containsKey(Object key) {
            var name = String.valueOf(key);
            noteRead(name);
            if (open || delegate.containsKey(name)) return true;
            misses.add(path + "." + name);
            return false;
        }

        @Override
        public Object get(Object key) {
            var name = String.valueOf(key);
            noteRead(name);
            if (!delegate.containsKey(name)) {
                if (open) {
                    sawUnknown = true;
                    return Unknown.VALUE;
                }
                return null;
            }
            if (!path.equals("outputs")) noteSensitive(path + "." + name); // taking a stage is navigation, not a read
            return wrap(path + "." + name, delegate.get(name), path.equals("outputs") && openStages.contains(name));
        }

        private void noteRead(String name) {
            if (path.equals("outputs")) {
                referencedStages.add(name);
            } else if (path.startsWith("outputs.") && path.indexOf('.', 8) < 0) {
                referencedOutputs.add(path.substring(8) + "." + name);
            }
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            noteSensitive(path);
            noteWhole(this);
            var entries = new LinkedHashMap<String, Object>();
            delegate.forEach((k, v) -> entries.put(k, wrap(path + "." + k, v, false)));
            return entries.entrySet();
        }

        @Override
        public String toString() {
            return delegate.toString();
        }

        /** Counting is no read (Pebble asks isEmpty before every attribute lookup). */
        @Override
        public int size() {
            return delegate.size();
        }

        @Override
        public boolean isEmpty() {
            return delegate.isEmpty();
        }

        /** Identity, not content: hashing a view must not count as reading every value in it. */
        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }

        @Override
        public boolean equals(Object other) {
            return this == other;
        }
    }

    @SuppressWarnings("unchecked")
    private Object wrap(String path, Object value, boolean open) {
        if (value == Unknown.VALUE) {
            sawUnknown = true;
            return value;
        }
        if (value instanceof Map<?, ?> map) return new Tracked(path, (Map<String, ?>) map, open);
        if (value instanceof List<?> list) {
            var copy = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) copy.add(wrap(path + "[" + i + "]", list.get(i), false));
            return copy;
        }
        return value;
    }

    /** {@link #unwrap}, noting a sensitive value and a reference to every output read when a whole map of outputs is taken. */
    Object unwrapRead(Object value) {
        if (value instanceof Tracked t) {
            noteSensitive(t.path);
            noteWhole(t);
        }
        return unwrap(value);
    }

    /** Taking the outputs root or one stage's outputs whole reads every output in them, and any added later. */
    private void noteWhole(Tracked t) {
        if (t.path.equals("outputs")) {
            t.delegate.keySet().forEach(stage -> {
                referencedStages.add(stage);
                referencedOutputs.add(stage + "." + ANY_OUTPUT);
            });
        } else if (t.path.startsWith("outputs.") && t.path.indexOf('.', 8) < 0 && t.path.indexOf('[') < 0) {
            referencedOutputs.add(t.path.substring(8) + "." + ANY_OUTPUT);
        }
    }

    /** Turns a value read from the scope back into plain maps and lists (for tfvars). */
    static Object unwrap(Object value) {
        if (value instanceof Tracked t) {
            var copy = new LinkedHashMap<String, Object>();
            t.delegate.forEach((k, v) -> copy.put(k, unwrap(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            var copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(unwrap(v)));
            return copy;
        }
        return value;
    }
}
