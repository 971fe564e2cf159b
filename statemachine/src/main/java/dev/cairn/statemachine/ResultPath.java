package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a state puts its result in its input: {@code null} (discard the result), {@code $}
 * (replace the input) or a reference path of field names ({@code $.a.b}, {@code $['a']}).
 * Indices, wildcards and filters are refused at load.
 */
record ResultPath(boolean discard, List<String> fields) {
    static final ResultPath REPLACE = new ResultPath(false, List.of());
    static final ResultPath DISCARD = new ResultPath(true, List.of());

    private static final Pattern SEGMENT = Pattern.compile("\\.([^.\\[\\]'\"*@?()\\s]+)|\\['([^'\\]]+)'\\]|\\[\"([^\"\\]]+)\"\\]");

    /** @throws IllegalArgumentException when the path is not a simple reference path */
    static ResultPath parse(String text) {
        if (!text.startsWith("$") || text.startsWith("$$")) {
            throw new IllegalArgumentException("must be a reference path into the state's input ($, $.a.b), got '" + text + "'");
        }
        List<String> fields = new ArrayList<>();
        Matcher m = SEGMENT.matcher(text);
        int at = 1;
        while (at < text.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("'" + text + "' is not a simple reference path: only field names"
                        + " ($.a.b or $['a']) are supported, no indices, wildcards or filters");
            }
            fields.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
            at = m.end();
        }
        return new ResultPath(false, List.copyOf(fields));
    }

    /** The state's output before OutputPath: {@code result} placed into a copy of {@code input}. */
    JsonNode apply(JsonNode input, JsonNode result) throws TaskFailure {
        if (discard) {
            return input;
        }
        if (fields.isEmpty()) {
            return result;
        }
        if (!input.isObject()) {
            throw mismatch(input, "the input is " + Json.typeName(input) + ", not an object");
        }
        ObjectNode root = input.deepCopy();
        ObjectNode at = root;
        for (int i = 0; i < fields.size() - 1; i++) {
            JsonNode next = at.get(fields.get(i));
            if (next == null || next.isNull()) {
                at = at.putObject(fields.get(i));
            } else if (next.isObject()) {
                at = (ObjectNode) next;
            } else {
                throw mismatch(input, "'" + fields.get(i) + "' is " + Json.typeName(next) + ", not an object");
            }
        }
        at.set(fields.get(fields.size() - 1), result);
        return root;
    }

    private TaskFailure mismatch(JsonNode input, String why) {
        return new TaskFailure("States.ResultPathMatchFailure",
                "Unable to apply ResultPath '" + this + "' to input '" + Json.excerpt(input) + "': " + why);
    }

    @Override
    public String toString() {
        if (discard) return "null";
        StringBuilder s = new StringBuilder("$");
        fields.forEach(f -> s.append('.').append(f));
        return s.toString();
    }
}
