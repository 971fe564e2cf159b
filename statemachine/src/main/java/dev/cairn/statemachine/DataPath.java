package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;

import java.util.Optional;

/**
 * A JSONPath over the state's data ({@code $...}) or over the context object ({@code $$...}),
 * evaluated by Jayway json-path. A path that selects nothing is {@code States.Runtime}, as on AWS.
 */
record DataPath(String text, boolean context, JsonPath compiled) {
    private static final Configuration JAYWAY = Configuration.builder()
            .jsonProvider(new StrictIndexProvider())
            .mappingProvider(new JacksonMappingProvider(Json.MAPPER))
            .build();

    /** @throws IllegalArgumentException with a reason, for the loader to wrap */
    static DataPath parse(String text) {
        if (text == null || !text.startsWith("$")) {
            throw new IllegalArgumentException("a path must start with $ or $$, got '" + text + "'");
        }
        if (!balanced(text)) throw new IllegalArgumentException("invalid JSONPath '" + text + "': unbalanced brackets or quotes");
        boolean context = text.startsWith("$$");
        String jayway = context ? text.substring(1) : text;
        if (jayway.equals("$")) {
            return new DataPath(text, context, null);
        }
        try {
            return new DataPath(text, context, JsonPath.compile(jayway));
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("invalid JSONPath '" + text + "': " + e.getMessage());
        }
    }

    /** Jayway compiles some truncated paths ({@code $.a[}) leniently; Step Functions refuses them. */
    private static boolean balanced(String text) {
        int depth = 0;
        char quote = 0;
        for (char c : text.toCharArray()) {
            if (quote != 0) {
                if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '[' || c == '(') {
                depth++;
            } else if (c == ']' || c == ')') {
                if (--depth < 0) return false;
            }
        }
        return depth == 0 && quote == 0;
    }

    /**
     * Jackson's provider answers an index past the end with null, which Jayway would report as a
     * JSON null; Step Functions reports a path that selects nothing. Out of range throws, as Jayway's
     * list-based providers do, so the path finds nothing.
     */
    private static final class StrictIndexProvider extends JacksonJsonNodeJsonProvider {
        StrictIndexProvider() {
            super(Json.MAPPER);
        }

        @Override
        public Object getArrayIndex(Object obj, int idx) {
            if (idx < 0 || idx >= length(obj)) throw new IndexOutOfBoundsException(idx);
            return super.getArrayIndex(obj, idx);
        }
    }

    static boolean looksLikePath(String text) {
        return text.startsWith("$");
    }

    /** The selected value; {@code States.Runtime} when nothing matches. */
    JsonNode read(JsonNode input, JsonNode contextObject) throws TaskFailure {
        return find(input, contextObject).orElseThrow(() -> new TaskFailure("States.Runtime",
                "The JSONPath '" + text + "' could not be found in the " + (context ? "context object" : "input")
                        + " '" + Json.excerpt(context ? contextObject : input) + "'"));
    }

    Optional<JsonNode> find(JsonNode input, JsonNode contextObject) {
        JsonNode target = context ? contextObject : input;
        if (compiled == null) {
            return Optional.of(target);
        }
        if (!target.isContainerNode()) {
            return Optional.empty();
        }
        try {
            Object value = compiled.read(target, JAYWAY);
            return Optional.of(value instanceof JsonNode node ? node : Json.MAPPER.valueToTree(value));
        } catch (RuntimeException notFound) { // PathNotFoundException, or a step into a scalar
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
