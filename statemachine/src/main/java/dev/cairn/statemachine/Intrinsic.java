package dev.cairn.statemachine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * An intrinsic function call ({@code States.Format('{} {}', $.a, States.UUID())}), parsed at load
 * by a small recursive-descent parser over the argument grammar: string literals in single quotes
 * (escapes {@code \' \{ \} \\}), numbers, {@code true}/{@code false}/{@code null}, paths
 * ({@code $.x}, {@code $$.Execution.Id}) and nested calls. Failures at run time are
 * {@code States.IntrinsicFailure}.
 */
sealed interface Intrinsic {

    /** Function name → {min, max} argument count (max -1: any). */
    Map<String, int[]> ARITY = Map.ofEntries(
            Map.entry("States.Format", new int[] {1, -1}),
            Map.entry("States.StringToJson", new int[] {1, 1}),
            Map.entry("States.JsonToString", new int[] {1, 1}),
            Map.entry("States.Array", new int[] {0, -1}),
            Map.entry("States.ArrayPartition", new int[] {2, 2}),
            Map.entry("States.ArrayContains", new int[] {2, 2}),
            Map.entry("States.ArrayRange", new int[] {3, 3}),
            Map.entry("States.ArrayGetItem", new int[] {2, 2}),
            Map.entry("States.ArrayLength", new int[] {1, 1}),
            Map.entry("States.ArrayUnique", new int[] {1, 1}),
            Map.entry("States.Base64Encode", new int[] {1, 1}),
            Map.entry("States.Base64Decode", new int[] {1, 1}),
            Map.entry("States.Hash", new int[] {2, 2}),
            Map.entry("States.JsonMerge", new int[] {3, 3}),
            Map.entry("States.MathRandom", new int[] {2, 3}),
            Map.entry("States.MathAdd", new int[] {2, 2}),
            Map.entry("States.StringSplit", new int[] {2, 2}),
            Map.entry("States.UUID", new int[] {0, 0}));

    JsonNode eval(JsonNode input, JsonNode context, RandomGenerator random) throws TaskFailure;

    /** @param template for a string literal: its text with escaped braces kept as {@code \{ \}}, for States.Format */
    record Literal(JsonNode value, String template) implements Intrinsic {
        Literal(JsonNode value) {
            this(value, null);
        }

        public JsonNode eval(JsonNode input, JsonNode context, RandomGenerator random) {
            return value;
        }
    }

    record PathArg(DataPath path) implements Intrinsic {
        public JsonNode eval(JsonNode input, JsonNode context, RandomGenerator random) throws TaskFailure {
            return path.read(input, context);
        }
    }

    record Call(String function, List<Intrinsic> args) implements Intrinsic {
        public JsonNode eval(JsonNode input, JsonNode context, RandomGenerator random) throws TaskFailure {
            List<JsonNode> values = new ArrayList<>(args.size());
            for (Intrinsic arg : args) values.add(arg.eval(input, context, random));
            if (function.equals("States.Format") && args.get(0) instanceof Literal literal && literal.template() != null) {
                values.set(0, Json.NODES.textNode(literal.template()));
            }
            try {
                return Functions.call(function, values, random);
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new TaskFailure("States.IntrinsicFailure", function + ": " + e.getMessage());
            }
        }
    }

    static boolean looksLikeCall(String text) {
        return text.startsWith("States.");
    }

    /** @throws IllegalArgumentException naming the position and what was expected */
    static Call parse(String text) {
        Parser p = new Parser(text);
        Call call = p.call();
        p.skipSpace();
        if (p.at < text.length()) throw p.error("unexpected '" + text.substring(p.at) + "' after the call");
        return call;
    }

    final class Parser {
        private final String text;
        private int at;

        Parser(String text) {
            this.text = text;
        }

        Call call() {
            skipSpace();
            int start = at;
            while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '.')) at++;
            String name = text.substring(start, at);
            if (!ARITY.containsKey(name)) {
                throw error("unknown intrinsic function '" + name + "' (supported: " + String.join(", ",
                        ARITY.keySet().stream().sorted().toList()) + ")");
            }
            skipSpace();
            expect('(');
            List<Intrinsic> args = new ArrayList<>();
            skipSpace();
            if (peek() != ')') {
                args.add(argument());
                skipSpace();
                while (peek() == ',') {
                    at++;
                    args.add(argument());
                    skipSpace();
                }
            }
            expect(')');
            int[] arity = ARITY.get(name);
            if (args.size() < arity[0] || (arity[1] >= 0 && args.size() > arity[1])) {
                throw error(name + " takes " + (arity[0] == arity[1] ? String.valueOf(arity[0])
                        : arity[1] < 0 ? "at least " + arity[0] : arity[0] + " to " + arity[1])
                        + " argument(s), got " + args.size());
            }
            return new Call(name, List.copyOf(args));
        }

        private Intrinsic argument() {
            skipSpace();
            char c = peek();
            if (c == '\'') {
                String template = string();
                StringBuilder value = new StringBuilder();
                for (int i = 0; i < template.length(); i++) {
                    char ch = template.charAt(i);
                    value.append(ch == '\\' && i + 1 < template.length() ? template.charAt(++i) : ch);
                }
                return new Literal(Json.NODES.textNode(value.toString()), template);
            }
            if (c == '$') return new PathArg(DataPath.parse(pathText()));
            if (c == '-' || Character.isDigit(c)) return new Literal(number());
            if (text.startsWith("States.", at)) return call();
            for (String word : List.of("true", "false", "null")) {
                if (text.startsWith(word, at)) {
                    at += word.length();
                    return new Literal(word.equals("null") ? Json.NODES.nullNode() : Json.NODES.booleanNode(word.equals("true")));
                }
            }
            throw error("expected a string in single quotes, a number, true, false, null, a path or a States. call");
        }

        private String string() {
            expect('\'');
            StringBuilder s = new StringBuilder();
            while (at < text.length() && text.charAt(at) != '\'') {
                char c = text.charAt(at++);
                if (c == '\\') {
                    if (at >= text.length()) throw error("a backslash ends the text");
                    char escaped = text.charAt(at++);
                    if ("'{}\\".indexOf(escaped) < 0) throw error("unknown escape \\" + escaped + " (use \\' \\{ \\} \\\\)");
                    if (escaped == '{' || escaped == '}' || escaped == '\\') s.append('\\'); // kept for States.Format
                    s.append(escaped);
                } else {
                    s.append(c);
                }
            }
            expect('\'');
            return s.toString();
        }

        /** A path runs to the next ',' or ')' outside brackets and quotes. */
        private String pathText() {
            int start = at;
            int depth = 0;
            char quote = 0;
            while (at < text.length()) {
                char c = text.charAt(at);
                if (quote != 0) {
                    if (c == quote) quote = 0;
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '[' || c == '(') {
                    depth++;
                } else if (c == ']' || (c == ')' && depth > 0)) {
                    depth--;
                } else if ((c == ',' || c == ')') && depth == 0) {
                    break;
                }
                at++;
            }
            return text.substring(start, at).strip();
        }

        private JsonNode number() {
            int start = at;
            if (peek() == '-') at++;
            while (at < text.length() && (Character.isDigit(text.charAt(at)) || ".eE+-".indexOf(text.charAt(at)) >= 0)) at++;
            String literal = text.substring(start, at);
            try {
                BigDecimal value = new BigDecimal(literal);
                if (literal.contains(".") || literal.contains("e") || literal.contains("E")) {
                    return Json.NODES.numberNode(value.doubleValue());
                }
                return Json.NODES.numberNode(value.longValueExact());
            } catch (NumberFormatException | ArithmeticException e) {
                throw error("'" + literal + "' is not a number");
            }
        }

        void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++;
        }

        private char peek() {
            return at < text.length() ? text.charAt(at) : 0;
        }

        private void expect(char c) {
            if (peek() != c) throw error("expected '" + c + "'");
            at++;
        }

        IllegalArgumentException error(String why) {
            return new IllegalArgumentException("in '" + text + "' at character " + (at + 1) + ": " + why);
        }
    }

    /** The functions themselves; arguments are already evaluated. */
    final class Functions {
        private Functions() {
        }

        static JsonNode call(String function, List<JsonNode> a, RandomGenerator random) {
            return switch (function) {
                case "States.Format" -> Json.NODES.textNode(format(text(a, 0), a.subList(1, a.size())));
                case "States.StringToJson" -> {
                    try {
                        yield Json.MAPPER.readTree(text(a, 0));
                    } catch (JsonProcessingException e) {
                        throw new IllegalArgumentException("the argument is not JSON: " + e.getOriginalMessage());
                    }
                }
                case "States.JsonToString" -> Json.NODES.textNode(Json.compact(a.get(0)));
                case "States.Array" -> Json.NODES.arrayNode().addAll(a);
                case "States.ArrayPartition" -> {
                    ArrayNode array = array(a, 0);
                    int size = integer(a, 1);
                    if (size <= 0) throw new IllegalArgumentException("the chunk size must be positive, got " + size);
                    ArrayNode out = Json.NODES.arrayNode();
                    ArrayNode chunk = null;
                    for (int i = 0; i < array.size(); i++) {
                        if (i % size == 0) chunk = out.addArray();
                        chunk.add(array.get(i));
                    }
                    yield out;
                }
                case "States.ArrayContains" -> {
                    boolean found = false;
                    for (JsonNode item : array(a, 0)) found |= Values.equal(item, a.get(1));
                    yield Json.NODES.booleanNode(found);
                }
                case "States.ArrayRange" -> {
                    int start = integer(a, 0);
                    int end = integer(a, 1);
                    int step = integer(a, 2);
                    if (step == 0) throw new IllegalArgumentException("the step must not be 0");
                    ArrayNode out = Json.NODES.arrayNode();
                    for (long i = start; step > 0 ? i <= end : i >= end; i += step) {
                        if (out.size() == 1000) throw new IllegalArgumentException("the range has more than 1000 items");
                        out.add(i);
                    }
                    yield out;
                }
                case "States.ArrayGetItem" -> {
                    ArrayNode array = array(a, 0);
                    int index = integer(a, 1);
                    if (index < 0 || index >= array.size()) {
                        throw new IllegalArgumentException("index " + index + " is outside the array of " + array.size());
                    }
                    yield array.get(index);
                }
                case "States.ArrayLength" -> Json.NODES.numberNode(array(a, 0).size());
                case "States.ArrayUnique" -> {
                    List<JsonNode> unique = new ArrayList<>();
                    for (JsonNode item : array(a, 0)) {
                        if (unique.stream().noneMatch(u -> Values.equal(u, item))) unique.add(item);
                    }
                    yield Json.NODES.arrayNode().addAll(unique);
                }
                case "States.Base64Encode" -> Json.NODES.textNode(Base64.getEncoder().encodeToString(
                        text(a, 0).getBytes(StandardCharsets.UTF_8)));
                case "States.Base64Decode" -> {
                    try {
                        yield Json.NODES.textNode(new String(Base64.getDecoder().decode(text(a, 0)), StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("the argument is not Base64: " + e.getMessage());
                    }
                }
                case "States.Hash" -> Json.NODES.textNode(hash(a.get(0).isTextual() ? a.get(0).textValue()
                        : Json.compact(a.get(0)), text(a, 1)));
                case "States.JsonMerge" -> {
                    if (!a.get(2).isBoolean()) throw new IllegalArgumentException("the third argument must be a boolean");
                    if (a.get(2).booleanValue()) {
                        throw new IllegalArgumentException("deep merge (true) is not supported by Step Functions; pass false");
                    }
                    ObjectNode merged = object(a, 0).deepCopy();
                    merged.setAll(object(a, 1));
                    yield merged;
                }
                case "States.MathRandom" -> {
                    int start = integer(a, 0);
                    int end = integer(a, 1);
                    if (end <= start) throw new IllegalArgumentException("the end " + end + " must be above the start " + start);
                    RandomGenerator source = a.size() == 3 ? new Random(integer(a, 2)) : random;
                    yield Json.NODES.numberNode(source.nextInt(start, end));
                }
                case "States.MathAdd" -> Json.NODES.numberNode(Math.addExact(integer(a, 0), integer(a, 1)));
                case "States.StringSplit" -> {
                    String value = text(a, 0);
                    String delimiters = text(a, 1);
                    ArrayNode out = Json.NODES.arrayNode();
                    StringBuilder piece = new StringBuilder();
                    for (int i = 0; i < value.length(); i++) {
                        char c = value.charAt(i);
                        if (delimiters.indexOf(c) >= 0) {
                            if (!piece.isEmpty()) out.add(piece.toString());
                            piece.setLength(0);
                        } else {
                            piece.append(c);
                        }
                    }
                    if (!piece.isEmpty()) out.add(piece.toString());
                    yield out;
                }
                case "States.UUID" -> Json.NODES.textNode(new UUID(random.nextLong() & 0xffffffffffff0fffL | 0x0000000000004000L,
                        random.nextLong() & 0x3fffffffffffffffL | 0x8000000000000000L).toString());
                default -> throw new IllegalStateException("no implementation for " + function);
            };
        }

        /** {} placeholders; \{ and \} are literal braces. */
        private static String format(String template, List<JsonNode> args) {
            StringBuilder out = new StringBuilder();
            int used = 0;
            for (int i = 0; i < template.length(); i++) {
                char c = template.charAt(i);
                if (c == '\\' && i + 1 < template.length() && "{}\\".indexOf(template.charAt(i + 1)) >= 0) {
                    out.append(template.charAt(++i));
                } else if (c == '{' && i + 1 < template.length() && template.charAt(i + 1) == '}') {
                    if (used >= args.size()) throw new IllegalArgumentException("more {} than arguments in '" + template + "'");
                    JsonNode arg = args.get(used++);
                    if (arg.isContainerNode()) {
                        throw new IllegalArgumentException("argument " + used + " is " + Json.typeName(arg)
                                + "; only strings, numbers, booleans and null can be formatted");
                    }
                    out.append(arg.isTextual() ? arg.textValue() : arg.toString());
                    i++;
                } else {
                    out.append(c);
                }
            }
            if (used != args.size()) {
                throw new IllegalArgumentException(args.size() + " argument(s) for " + used + " {} in '" + template + "'");
            }
            return out.toString();
        }

        private static String hash(String data, String algorithm) {
            if (!List.of("MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512").contains(algorithm)) {
                throw new IllegalArgumentException("unknown algorithm '" + algorithm + "' (MD5, SHA-1, SHA-256, SHA-384, SHA-512)");
            }
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        private static String text(List<JsonNode> a, int i) {
            if (!a.get(i).isTextual()) throw wrongType(a, i, "a string");
            return a.get(i).textValue();
        }

        private static ArrayNode array(List<JsonNode> a, int i) {
            if (!a.get(i).isArray()) throw wrongType(a, i, "an array");
            return (ArrayNode) a.get(i);
        }

        private static ObjectNode object(List<JsonNode> a, int i) {
            if (!a.get(i).isObject()) throw wrongType(a, i, "an object");
            return (ObjectNode) a.get(i);
        }

        private static int integer(List<JsonNode> a, int i) {
            JsonNode n = a.get(i);
            if (!n.isNumber()) throw wrongType(a, i, "an integer");
            return n.decimalValue().intValueExact();
        }

        private static IllegalArgumentException wrongType(List<JsonNode> a, int i, String expected) {
            return new IllegalArgumentException("argument " + (i + 1) + " must be " + expected + ", got "
                    + Json.typeName(a.get(i)) + " " + Json.excerpt(a.get(i)));
        }
    }
}
