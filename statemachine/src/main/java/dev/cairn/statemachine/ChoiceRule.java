package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * A Choice state's rule: a comparison of {@code Variable} with a literal or another path
 * ({@code ...Path}), a type test ({@code IsPresent}, {@code IsNull}, ...), or And/Or/Not of rules.
 * A comparison whose variable is missing or of another type is false (no error), as on Step
 * Functions.
 */
sealed interface ChoiceRule {

    boolean test(JsonNode input, JsonNode context) throws TaskFailure;

    record And(List<ChoiceRule> rules) implements ChoiceRule {
        public boolean test(JsonNode input, JsonNode context) throws TaskFailure {
            for (ChoiceRule rule : rules) if (!rule.test(input, context)) return false;
            return true;
        }
    }

    record Or(List<ChoiceRule> rules) implements ChoiceRule {
        public boolean test(JsonNode input, JsonNode context) throws TaskFailure {
            for (ChoiceRule rule : rules) if (rule.test(input, context)) return true;
            return false;
        }
    }

    record Not(ChoiceRule rule) implements ChoiceRule {
        public boolean test(JsonNode input, JsonNode context) throws TaskFailure {
            return !rule.test(input, context);
        }
    }

    /** @param operator e.g. {@code NumericLessThan} (a {@code ...Path} operator is stored without the suffix) */
    record Comparison(DataPath variable, String operator, JsonNode literal, DataPath other) implements ChoiceRule {
        public boolean test(JsonNode input, JsonNode context) throws TaskFailure {
            Optional<JsonNode> value = variable.find(input, context);
            if (operator.equals("IsPresent")) return value.isPresent() == literal.booleanValue();
            if (value.isEmpty()) return false;
            JsonNode v = value.get();
            JsonNode expected = literal;
            if (other != null) {
                Optional<JsonNode> found = other.find(input, context);
                if (found.isEmpty()) {
                    throw new TaskFailure("States.Runtime", "The JSONPath '" + other + "' of " + operator
                            + "Path could not be found in the input '" + Json.excerpt(input) + "'");
                }
                expected = found.get();
            }
            return switch (operator) {
                case "IsNull" -> v.isNull() == literal.booleanValue();
                case "IsString" -> v.isTextual() == literal.booleanValue();
                case "IsNumeric" -> v.isNumber() == literal.booleanValue();
                case "IsBoolean" -> v.isBoolean() == literal.booleanValue();
                case "IsTimestamp" -> Values.timestamp(v).isPresent() == literal.booleanValue();
                case "BooleanEquals" -> v.isBoolean() && expected.isBoolean() && v.booleanValue() == expected.booleanValue();
                case "StringMatches" -> v.isTextual() && matches(v.textValue(), expected.textValue());
                default -> compare(v, expected);
            };
        }

        private boolean compare(JsonNode v, JsonNode expected) {
            Integer order = null;
            if (operator.startsWith("String") && v.isTextual() && expected.isTextual()) {
                order = v.textValue().compareTo(expected.textValue());
            } else if (operator.startsWith("Numeric") && v.isNumber() && expected.isNumber()) {
                order = v.decimalValue().compareTo(expected.decimalValue());
            } else if (operator.startsWith("Timestamp")) {
                Optional<Instant> a = Values.timestamp(v);
                Optional<Instant> b = Values.timestamp(expected);
                if (a.isPresent() && b.isPresent()) order = a.get().compareTo(b.get());
            }
            if (order == null) return false;
            IntPredicate relation = switch (operator.replaceFirst("^(String|Numeric|Timestamp)", "")) {
                case "Equals" -> o -> o == 0;
                case "LessThan" -> o -> o < 0;
                case "GreaterThan" -> o -> o > 0;
                case "LessThanEquals" -> o -> o <= 0;
                case "GreaterThanEquals" -> o -> o >= 0;
                default -> throw new IllegalStateException(operator);
            };
            return relation.test(order);
        }

        /** {@code *} matches any run of characters; {@code \*} and {@code \\} are literal. */
        static boolean matches(String value, String pattern) {
            return matches(value, 0, pattern, 0);
        }

        private static boolean matches(String value, int vi, String pattern, int pi) {
            while (pi < pattern.length()) {
                char c = pattern.charAt(pi);
                if (c == '*') {
                    for (int k = vi; k <= value.length(); k++) if (matches(value, k, pattern, pi + 1)) return true;
                    return false;
                }
                if (c == '\\' && pi + 1 < pattern.length()) c = pattern.charAt(++pi);
                if (vi >= value.length() || value.charAt(vi) != c) return false;
                vi++;
                pi++;
            }
            return vi == value.length();
        }
    }

    Set<String> COMPARED = Set.of("StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals",
            "StringGreaterThanEquals", "NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals",
            "NumericGreaterThanEquals", "BooleanEquals", "TimestampEquals", "TimestampLessThan", "TimestampGreaterThan",
            "TimestampLessThanEquals", "TimestampGreaterThanEquals");
    Set<String> TESTS = Set.of("IsNull", "IsPresent", "IsString", "IsNumeric", "IsBoolean", "IsTimestamp");

    /**
     * @param where    for messages: {@code Choices[0]} or {@code Choices[0].And[1]}
     * @param topLevel whether the rule carries {@code Next}
     * @throws IllegalArgumentException with {@code where} and the field
     */
    static ChoiceRule parse(JsonNode rule, String where, boolean topLevel) {
        if (!rule.isObject()) throw new IllegalArgumentException(where + ": a choice rule must be an object");
        List<String> operators = new ArrayList<>();
        for (var field : rule.properties()) {
            String key = field.getKey();
            if (key.equals("Variable") || key.equals("Comment") || (topLevel && key.equals("Next"))) continue;
            if (key.equals("Next")) throw new IllegalArgumentException(where + ".Next: only a top-level choice rule has Next");
            operators.add(key);
        }
        if (operators.size() != 1) {
            throw new IllegalArgumentException(where + ": a choice rule needs exactly one operator"
                    + (operators.isEmpty() ? "" : ", got " + operators));
        }
        String op = operators.get(0);
        JsonNode value = rule.get(op);
        String at = where + "." + op;
        switch (op) {
            case "And", "Or" -> {
                if (rule.has("Variable")) throw new IllegalArgumentException(where + ".Variable: not allowed beside " + op);
                if (!value.isArray() || value.isEmpty()) throw new IllegalArgumentException(at + ": must be a non-empty array of rules");
                List<ChoiceRule> rules = new ArrayList<>();
                for (int i = 0; i < value.size(); i++) rules.add(parse(value.get(i), at + "[" + i + "]", false));
                return op.equals("And") ? new And(List.copyOf(rules)) : new Or(List.copyOf(rules));
            }
            case "Not" -> {
                if (rule.has("Variable")) throw new IllegalArgumentException(where + ".Variable: not allowed beside Not");
                return new Not(parse(value, at, false));
            }
            default -> {
            }
        }
        JsonNode variableNode = rule.get("Variable");
        if (variableNode == null || !variableNode.isTextual()) {
            throw new IllegalArgumentException(where + ".Variable: a comparison needs Variable, a path");
        }
        DataPath variable = path(variableNode.textValue(), where + ".Variable");
        boolean viaPath = op.endsWith("Path") && COMPARED.contains(op.substring(0, op.length() - 4));
        String base = viaPath ? op.substring(0, op.length() - 4) : op;
        if (!COMPARED.contains(base) && !TESTS.contains(base) && !base.equals("StringMatches")) {
            throw new IllegalArgumentException(at + ": unknown choice operator (supported: And, Or, Not, "
                    + String.join(", ", COMPARED.stream().sorted().toList()) + ", their ...Path forms, StringMatches, "
                    + String.join(", ", TESTS.stream().sorted().toList()) + ")");
        }
        if (viaPath) {
            if (!value.isTextual()) throw new IllegalArgumentException(at + ": must be a path");
            return new Comparison(variable, base, null, path(value.textValue(), at));
        }
        boolean ok = switch (base) {
            case "BooleanEquals", "IsNull", "IsPresent", "IsString", "IsNumeric", "IsBoolean", "IsTimestamp" -> value.isBoolean();
            case "StringMatches" -> value.isTextual();
            default -> base.startsWith("String") ? value.isTextual()
                    : base.startsWith("Numeric") ? value.isNumber()
                    : value.isTextual() && Values.timestamp(value.textValue()).isPresent();
        };
        if (!ok) {
            throw new IllegalArgumentException(at + ": " + Json.excerpt(value) + " is not a valid value (expected "
                    + (base.startsWith("Timestamp") ? "an RFC 3339 timestamp string"
                    : base.startsWith("Numeric") ? "a number"
                    : base.startsWith("String") ? "a string" : "a boolean") + ")");
        }
        return new Comparison(variable, base, value, null);
    }

    private static DataPath path(String text, String at) {
        try {
            return DataPath.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at + ": " + e.getMessage());
        }
    }
}
