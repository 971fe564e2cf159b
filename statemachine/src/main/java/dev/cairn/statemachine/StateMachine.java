package dev.cairn.statemachine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed and checked Amazon States Language definition. {@link #parse} refuses, at load time,
 * every state type, field, path form or intrinsic function outside the supported set, naming the
 * state and the field ({@link DefinitionException}); nothing in a definition is silently ignored.
 */
public final class StateMachine {
    private static final Pattern SUBSTITUTION = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}");

    private final JsonNode definition;
    private final String source;
    private final Definition.Branch main;
    private final Optional<Integer> timeoutSeconds;

    private StateMachine(JsonNode definition, String source, Definition.Branch main, Optional<Integer> timeoutSeconds) {
        this.definition = definition;
        this.source = source;
        this.main = main;
        this.timeoutSeconds = timeoutSeconds;
    }

    /**
     * @param json   the definition text (after any {@code DefinitionSubstitutions})
     * @param source where it came from, for messages ({@code statemachine/reconcile.asl.json})
     */
    public static StateMachine parse(String json, String source) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new DefinitionException(source, DefinitionLoader.TOP, null, "not JSON"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")") + ": " + e.getOriginalMessage());
        }
        if (root == null) throw new DefinitionException(source, DefinitionLoader.TOP, null, "the definition is empty");
        DefinitionLoader.Loaded loaded = new DefinitionLoader(source).load(root);
        return new StateMachine(root, source, loaded.main(), loaded.timeoutSeconds());
    }

    /**
     * Like {@code DefinitionSubstitutions} in SAM/CloudFormation: each {@code ${Name}} in the text is
     * replaced by its value before parsing. A {@code ${Name}} without a value is refused.
     */
    public static StateMachine parse(String json, String source, Map<String, String> substitutions) {
        Matcher m = SUBSTITUTION.matcher(json);
        StringBuilder out = new StringBuilder();
        List<String> missing = new ArrayList<>();
        while (m.find()) {
            String value = substitutions.get(m.group(1));
            if (value == null) {
                missing.add(m.group(1));
                value = m.group();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(jsonStringContent(value)));
        }
        m.appendTail(out);
        if (!missing.isEmpty()) {
            throw new DefinitionException(source, DefinitionLoader.TOP, "DefinitionSubstitutions",
                    "no value for " + missing.stream().distinct().map(n -> "${" + n + "}").toList()
                            + " (given: " + substitutions.keySet().stream().sorted().toList() + ")");
        }
        return parse(out.toString(), source);
    }

    private static String jsonStringContent(String value) {
        String quoted = Json.compact(Json.NODES.textNode(value));
        return quoted.substring(1, quoted.length() - 1);
    }

    public JsonNode definition() {
        return definition;
    }

    /** Where the definition came from, as given to {@link #parse}. */
    public String source() {
        return source;
    }

    Definition.Branch main() {
        return main;
    }

    Optional<Integer> timeoutSeconds() {
        return timeoutSeconds;
    }

    /** Every Task state's Resource, for checking that each has an integration. Keyed by state name. */
    public Map<String, String> taskResources() {
        Map<String, String> out = new java.util.TreeMap<>();
        collect(main, out);
        return out;
    }

    private static void collect(Definition.Branch branch, Map<String, String> out) {
        for (Definition.State state : branch.states().values()) {
            switch (state) {
                case Definition.Task t -> out.put(t.name(), t.resource());
                case Definition.MapState m -> collect(m.processor(), out);
                case Definition.Parallel p -> p.branches().forEach(b -> collect(b, out));
                default -> {
                }
            }
        }
    }
}
