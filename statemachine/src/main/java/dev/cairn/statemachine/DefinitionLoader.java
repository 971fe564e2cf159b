package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.statemachine.Definition.Branch;
import dev.cairn.statemachine.Definition.Catcher;
import dev.cairn.statemachine.Definition.Common;
import dev.cairn.statemachine.Definition.Retrier;
import dev.cairn.statemachine.Definition.Rule;
import dev.cairn.statemachine.Definition.Selector;
import dev.cairn.statemachine.Definition.State;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a definition against the supported subset of the Amazon States Language and builds its
 * {@link Definition} model. Every field is either understood or refused; the message names the
 * state and the field.
 */
final class DefinitionLoader {
    static final String TOP = "(top level)";

    private static final Set<String> TOP_FIELDS = Set.of("Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage");
    private static final Set<String> BRANCH_FIELDS = Set.of("Comment", "StartAt", "States", "ProcessorConfig");
    private static final Map<String, Set<String>> FIELDS = Map.of(
            "Task", Set.of("Resource", "Parameters", "ResultSelector", "ResultPath", "InputPath", "OutputPath", "Retry",
                    "Catch", "TimeoutSeconds", "TimeoutSecondsPath", "Next", "End"),
            "Map", Set.of("ItemProcessor", "Iterator", "ItemsPath", "ItemSelector", "Parameters", "MaxConcurrency",
                    "MaxConcurrencyPath", "ResultSelector", "ResultPath", "InputPath", "OutputPath", "Retry", "Catch", "Next", "End"),
            "Parallel", Set.of("Branches", "Parameters", "ResultSelector", "ResultPath", "InputPath", "OutputPath", "Retry",
                    "Catch", "Next", "End"),
            "Pass", Set.of("Result", "Parameters", "ResultPath", "InputPath", "OutputPath", "Next", "End"),
            "Wait", Set.of("Seconds", "SecondsPath", "Timestamp", "TimestampPath", "InputPath", "OutputPath", "Next", "End"),
            "Choice", Set.of("Choices", "Default", "InputPath", "OutputPath"),
            "Succeed", Set.of("InputPath", "OutputPath"),
            "Fail", Set.of("Error", "ErrorPath", "Cause", "CausePath"));
    /** Fields of the language that the local executor knows and refuses, with the reason. */
    private static final Map<String, String> REFUSED = Map.ofEntries(
            Map.entry("HeartbeatSeconds", "task heartbeats are not implemented by the local executor"),
            Map.entry("HeartbeatSecondsPath", "task heartbeats are not implemented by the local executor"),
            Map.entry("Credentials", "cross-account task credentials are not supported locally"),
            Map.entry("Arguments", "JSONata (Arguments) is not supported; use JSONPath Parameters"),
            Map.entry("Output", "JSONata (Output) is not supported; use JSONPath ResultSelector/ResultPath/OutputPath"),
            Map.entry("Assign", "workflow variables (Assign) are not supported"),
            Map.entry("ItemReader", "ItemReader belongs to distributed Map, which is not supported"),
            Map.entry("ItemBatcher", "ItemBatcher belongs to distributed Map, which is not supported"),
            Map.entry("ResultWriter", "ResultWriter belongs to distributed Map, which is not supported"),
            Map.entry("Label", "Label belongs to distributed Map, which is not supported"),
            Map.entry("ToleratedFailurePercentage", "tolerated failures belong to distributed Map, which is not supported"),
            Map.entry("ToleratedFailurePercentagePath", "tolerated failures belong to distributed Map, which is not supported"),
            Map.entry("ToleratedFailureCount", "tolerated failures belong to distributed Map, which is not supported"),
            Map.entry("ToleratedFailureCountPath", "tolerated failures belong to distributed Map, which is not supported"));

    private final String source;

    DefinitionLoader(String source) {
        this.source = source;
    }

    record Loaded(Branch main, Optional<Integer> timeoutSeconds) {
    }

    Loaded load(JsonNode root) {
        if (!root.isObject()) throw error(TOP, null, "a definition must be a JSON object");
        for (var field : root.properties()) {
            if (!TOP_FIELDS.contains(field.getKey())) {
                throw error(TOP, field.getKey(), "unknown top-level field (supported: " + sorted(TOP_FIELDS) + ")");
            }
        }
        queryLanguage(root, TOP);
        if (root.has("Version") && !root.get("Version").asText().equals("1.0")) {
            throw error(TOP, "Version", "only version 1.0 of the language exists");
        }
        Optional<Integer> timeout = positiveInt(root, "TimeoutSeconds", TOP);
        return new Loaded(branch(root, TOP, "States", Set.of()), timeout);
    }

    private Branch branch(JsonNode node, String owner, String field, Set<String> allowedExtra) {
        if (!node.isObject()) throw error(owner, field, "must be an object with StartAt and States");
        if (!owner.equals(TOP)) {
            for (var f : node.properties()) {
                if (!BRANCH_FIELDS.contains(f.getKey())) {
                    throw error(owner, field + "." + f.getKey(), "unknown field (supported: StartAt, States, Comment"
                            + (allowedExtra.contains("ProcessorConfig") ? ", ProcessorConfig" : "") + ")");
                }
                if (f.getKey().equals("ProcessorConfig") && !allowedExtra.contains("ProcessorConfig")) {
                    throw error(owner, field + ".ProcessorConfig", "only a Map's ItemProcessor has ProcessorConfig");
                }
            }
        }
        JsonNode states = node.get("States");
        if (states == null || !states.isObject() || states.isEmpty()) {
            throw error(owner, owner.equals(TOP) ? "States" : field + ".States", "must be a non-empty object of states");
        }
        String startAt = text(node, "StartAt", owner, true).orElseThrow();
        if (!states.has(startAt)) {
            throw error(owner, owner.equals(TOP) ? "StartAt" : field + ".StartAt", "no state named '" + startAt + "'");
        }
        Map<String, State> built = new LinkedHashMap<>();
        for (var entry : states.properties()) built.put(entry.getKey(), state(entry.getKey(), entry.getValue()));
        for (State state : built.values()) checkTargets(state, built.keySet());
        checkReachable(startAt, built);
        return new Branch(startAt, Map.copyOf(built));
    }

    private State state(String name, JsonNode node) {
        if (!node.isObject()) throw error(name, null, "a state must be a JSON object");
        String type = text(node, "Type", name, true).orElseThrow();
        Set<String> allowed = FIELDS.get(type);
        if (allowed == null) {
            throw error(name, "Type", "state type '" + type + "' is not supported (supported: " + sorted(FIELDS.keySet()) + ")");
        }
        for (var field : node.properties()) {
            String key = field.getKey();
            if (key.equals("Type") || key.equals("Comment") || allowed.contains(key)) continue;
            if (key.equals("QueryLanguage")) {
                queryLanguage(node, name);
                continue;
            }
            if (REFUSED.containsKey(key)) throw error(name, key, REFUSED.get(key));
            throw error(name, key, "unknown field for a " + type + " state (supported: " + sorted(allowed) + ", Comment)");
        }
        return switch (type) {
            case "Task" -> task(name, node);
            case "Map" -> map(name, node);
            case "Parallel" -> parallel(name, node);
            case "Pass" -> new Definition.Pass(name, common(name, node), Optional.ofNullable(node.get("Result")));
            case "Wait" -> waitState(name, node);
            case "Choice" -> choice(name, node);
            case "Succeed" -> new Definition.Succeed(name, selector(node, "InputPath", name), selector(node, "OutputPath", name));
            case "Fail" -> fail(name, node);
            default -> throw new IllegalStateException(type);
        };
    }

    private Definition.Task task(String name, JsonNode node) {
        String resource = text(node, "Resource", name, true).orElseThrow();
        if (node.has("TimeoutSeconds") && node.has("TimeoutSecondsPath")) {
            throw error(name, "TimeoutSecondsPath", "give TimeoutSeconds or TimeoutSecondsPath, not both");
        }
        return new Definition.Task(name, resource, common(name, node), positiveInt(node, "TimeoutSeconds", name),
                text(node, "TimeoutSecondsPath", name, false).map(p -> path(p, name, "TimeoutSecondsPath")));
    }

    private Definition.MapState map(String name, JsonNode node) {
        if (node.has("ItemProcessor") == node.has("Iterator")) {
            throw error(name, "ItemProcessor", "a Map needs exactly one of ItemProcessor or (legacy) Iterator");
        }
        if (node.has("ItemSelector") && node.has("Parameters")) {
            throw error(name, "Parameters", "give ItemSelector or (legacy) Parameters, not both");
        }
        if (node.has("MaxConcurrency") && node.has("MaxConcurrencyPath")) {
            throw error(name, "MaxConcurrencyPath", "give MaxConcurrency or MaxConcurrencyPath, not both");
        }
        String field = node.has("ItemProcessor") ? "ItemProcessor" : "Iterator";
        JsonNode processor = node.get(field);
        JsonNode config = processor.get("ProcessorConfig");
        if (config != null) {
            for (var f : config.properties()) {
                if (!f.getKey().equals("Mode")) {
                    throw error(name, field + ".ProcessorConfig." + f.getKey(), "only Mode (INLINE) is supported");
                }
            }
            String mode = config.path("Mode").asText("INLINE");
            if (!mode.equals("INLINE")) {
                throw error(name, field + ".ProcessorConfig.Mode", "Mode " + mode + " is not supported; only INLINE Map runs locally");
            }
        }
        Branch branch = branch(processor, name, field, Set.of("ProcessorConfig"));
        Optional<Integer> max = nonNegativeInt(node, "MaxConcurrency", name);
        String selectorField = node.has("ItemSelector") ? "ItemSelector" : "Parameters";
        Common io = common(name, node, selectorField);
        return new Definition.MapState(name, io,
                text(node, "ItemsPath", name, false).map(p -> path(p, name, "ItemsPath")).orElse(DataPath.parse("$")),
                branch, max, text(node, "MaxConcurrencyPath", name, false).map(p -> path(p, name, "MaxConcurrencyPath")));
    }

    private Definition.Parallel parallel(String name, JsonNode node) {
        JsonNode branches = node.get("Branches");
        if (branches == null || !branches.isArray() || branches.isEmpty()) {
            throw error(name, "Branches", "must be a non-empty array of branches");
        }
        List<Branch> built = new ArrayList<>();
        for (int i = 0; i < branches.size(); i++) built.add(branch(branches.get(i), name, "Branches[" + i + "]", Set.of()));
        return new Definition.Parallel(name, common(name, node), List.copyOf(built));
    }

    private Definition.Wait waitState(String name, JsonNode node) {
        List<String> given = new ArrayList<>();
        for (String f : List.of("Seconds", "SecondsPath", "Timestamp", "TimestampPath")) if (node.has(f)) given.add(f);
        if (given.size() != 1) {
            throw error(name, given.isEmpty() ? "Seconds" : given.get(1),
                    "a Wait needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath" + (given.isEmpty() ? "" : ", got " + given));
        }
        Optional<String> timestamp = text(node, "Timestamp", name, false);
        if (timestamp.isPresent() && Values.timestamp(timestamp.get()).isEmpty()) {
            throw error(name, "Timestamp", "'" + timestamp.get() + "' is not an RFC 3339 timestamp (2026-01-02T03:04:05Z)");
        }
        return new Definition.Wait(name, selector(node, "InputPath", name), selector(node, "OutputPath", name),
                nonNegativeInt(node, "Seconds", name),
                text(node, "SecondsPath", name, false).map(p -> path(p, name, "SecondsPath")),
                timestamp, text(node, "TimestampPath", name, false).map(p -> path(p, name, "TimestampPath")),
                next(name, node));
    }

    private Definition.Choice choice(String name, JsonNode node) {
        JsonNode choices = node.get("Choices");
        if (choices == null || !choices.isArray() || choices.isEmpty()) {
            throw error(name, "Choices", "must be a non-empty array of choice rules");
        }
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            JsonNode rule = choices.get(i);
            String where = "Choices[" + i + "]";
            try {
                ChoiceRule parsed = ChoiceRule.parse(rule, where, true);
                if (!rule.path("Next").isTextual()) throw new IllegalArgumentException(where + ".Next: a top-level choice rule needs Next");
                rules.add(new Rule(parsed, rule.get("Next").textValue()));
            } catch (IllegalArgumentException e) {
                String message = e.getMessage();
                int colon = message.indexOf(": ");
                throw error(name, message.substring(0, colon), message.substring(colon + 2));
            }
        }
        return new Definition.Choice(name, selector(node, "InputPath", name), selector(node, "OutputPath", name),
                List.copyOf(rules), text(node, "Default", name, false));
    }

    private Definition.Fail fail(String name, JsonNode node) {
        if (node.has("Error") && node.has("ErrorPath")) throw error(name, "ErrorPath", "give Error or ErrorPath, not both");
        if (node.has("Cause") && node.has("CausePath")) throw error(name, "CausePath", "give Cause or CausePath, not both");
        return new Definition.Fail(name, text(node, "Error", name, false), text(node, "Cause", name, false),
                dynamic(node, "ErrorPath", name), dynamic(node, "CausePath", name));
    }

    private Optional<Template> dynamic(JsonNode node, String field, String state) {
        return text(node, field, state, false).map(text -> {
            try {
                return Template.compile(Json.object().put(field + ".$", text)) instanceof Template.Fields f
                        ? f.fields().get(field) : null;
            } catch (IllegalArgumentException e) {
                throw error(state, field, e.getMessage());
            }
        });
    }

    private Common common(String name, JsonNode node) {
        return common(name, node, "Parameters");
    }

    private Common common(String name, JsonNode node, String parametersField) {
        Template parameters = template(node, parametersField, name);
        Template resultSelector = template(node, "ResultSelector", name);
        ResultPath resultPath = resultPath(node, "ResultPath", name);
        return new Common(selector(node, "InputPath", name), parameters, resultSelector, resultPath,
                selector(node, "OutputPath", name), retriers(name, node), catchers(name, node), next(name, node));
    }

    private List<Retrier> retriers(String name, JsonNode node) {
        JsonNode retry = node.get("Retry");
        if (retry == null) return List.of();
        if (!retry.isArray()) throw error(name, "Retry", "must be an array of retriers");
        List<Retrier> out = new ArrayList<>();
        for (int i = 0; i < retry.size(); i++) {
            String at = "Retry[" + i + "]";
            JsonNode r = retry.get(i);
            fieldsOnly(r, name, at, Set.of("ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds",
                    "JitterStrategy", "Comment"));
            List<String> errors = errorEquals(r, name, at, i == retry.size() - 1);
            int interval = positiveInt(r, "IntervalSeconds", name, at).orElse(1);
            int attempts = nonNegativeInt(r, "MaxAttempts", name, at).orElse(3);
            double backoff = 2.0;
            if (r.has("BackoffRate")) {
                if (!r.get("BackoffRate").isNumber() || r.get("BackoffRate").doubleValue() < 1.0) {
                    throw error(name, at + ".BackoffRate", "must be a number >= 1.0");
                }
                backoff = r.get("BackoffRate").doubleValue();
            }
            Optional<Integer> maxDelay = positiveInt(r, "MaxDelaySeconds", name, at);
            String jitter = r.path("JitterStrategy").asText("NONE");
            if (!jitter.equals("NONE") && !jitter.equals("FULL")) {
                throw error(name, at + ".JitterStrategy", "must be FULL or NONE, got '" + jitter + "'");
            }
            out.add(new Retrier(errors, interval, attempts, backoff, maxDelay, jitter.equals("FULL")));
        }
        return List.copyOf(out);
    }

    private List<Catcher> catchers(String name, JsonNode node) {
        JsonNode catches = node.get("Catch");
        if (catches == null) return List.of();
        if (!catches.isArray()) throw error(name, "Catch", "must be an array of catchers");
        List<Catcher> out = new ArrayList<>();
        for (int i = 0; i < catches.size(); i++) {
            String at = "Catch[" + i + "]";
            JsonNode c = catches.get(i);
            fieldsOnly(c, name, at, Set.of("ErrorEquals", "ResultPath", "Next", "Comment"));
            List<String> errors = errorEquals(c, name, at, i == catches.size() - 1);
            String next = text(c, "Next", name, at, true).orElseThrow();
            out.add(new Catcher(errors, resultPath(c, "ResultPath", name, at), next));
        }
        return List.copyOf(out);
    }

    private List<String> errorEquals(JsonNode node, String name, String at, boolean last) {
        JsonNode errors = node.get("ErrorEquals");
        if (errors == null || !errors.isArray() || errors.isEmpty()) {
            throw error(name, at + ".ErrorEquals", "must be a non-empty array of error names");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : errors) {
            if (!e.isTextual()) throw error(name, at + ".ErrorEquals", "error names are strings");
            out.add(e.textValue());
        }
        if (out.contains("States.ALL") && (out.size() > 1 || !last)) {
            throw error(name, at + ".ErrorEquals", "States.ALL must be alone and in the last retrier or catcher");
        }
        return List.copyOf(out);
    }

    private void fieldsOnly(JsonNode node, String name, String at, Set<String> allowed) {
        if (!node.isObject()) throw error(name, at, "must be an object");
        for (var f : node.properties()) {
            if (!allowed.contains(f.getKey())) {
                throw error(name, at + "." + f.getKey(), "unknown field (supported: " + sorted(allowed) + ")");
            }
        }
    }

    private String next(String name, JsonNode node) {
        boolean end = node.has("End");
        if (end && !node.get("End").asBoolean(false)) throw error(name, "End", "End must be true when given");
        if (end == node.has("Next")) throw error(name, end ? "End" : "Next", "a state needs exactly one of Next or End: true");
        return end ? null : text(node, "Next", name, true).orElseThrow();
    }

    /** As Step Functions does, a state that no path from StartAt reaches is refused. */
    private void checkReachable(String startAt, Map<String, State> states) {
        Set<String> reached = new java.util.HashSet<>();
        java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(List.of(startAt));
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (!reached.add(name)) continue;
            for (String[] target : targets(states.get(name))) if (target[1] != null) todo.push(target[1]);
        }
        for (String name : states.keySet()) {
            if (!reached.contains(name)) throw error(name, null, "no Next, Default or Catch from StartAt reaches this state");
        }
    }

    private void checkTargets(State state, Set<String> names) {
        for (String[] target : targets(state)) {
            if (target[1] != null && !names.contains(target[1])) {
                throw error(state.name(), target[0], "no state named '" + target[1] + "' here (a Next stays inside its branch)");
            }
        }
    }

    /** {field, target state} pairs; a null target is End. */
    private static List<String[]> targets(State state) {
        List<String[]> targets = new ArrayList<>();
        switch (state) {
            case Definition.Task t -> addCommon(targets, t.io());
            case Definition.MapState m -> addCommon(targets, m.io());
            case Definition.Parallel p -> addCommon(targets, p.io());
            case Definition.Pass p -> addCommon(targets, p.io());
            case Definition.Wait w -> targets.add(new String[] {"Next", w.next()});
            case Definition.Choice c -> {
                for (int i = 0; i < c.choices().size(); i++) targets.add(new String[] {"Choices[" + i + "].Next", c.choices().get(i).next()});
                c.defaultNext().ifPresent(d -> targets.add(new String[] {"Default", d}));
            }
            case Definition.Succeed s -> {
            }
            case Definition.Fail f -> {
            }
        }
        return targets;
    }

    private static void addCommon(List<String[]> targets, Common io) {
        targets.add(new String[] {"Next", io.next()});
        for (int i = 0; i < io.catchers().size(); i++) targets.add(new String[] {"Catch[" + i + "].Next", io.catchers().get(i).next()});
    }

    private void queryLanguage(JsonNode node, String state) {
        if (!node.has("QueryLanguage")) return;
        String language = node.get("QueryLanguage").asText();
        if (!language.equals("JSONPath")) {
            throw error(state, "QueryLanguage", "only JSONPath is supported, not '" + language + "' (JSONata is refused)");
        }
    }

    private Template template(JsonNode node, String field, String state) {
        if (!node.has(field)) return null;
        try {
            return Template.compile(node.get(field));
        } catch (IllegalArgumentException e) {
            throw error(state, field, e.getMessage());
        }
    }

    private Selector selector(JsonNode node, String field, String state) {
        if (!node.has(field)) return Selector.ALL;
        if (node.get(field).isNull()) return Selector.NOTHING;
        if (!node.get(field).isTextual()) throw error(state, field, "must be a path or null");
        return new Selector(path(node.get(field).textValue(), state, field));
    }

    private ResultPath resultPath(JsonNode node, String field, String state) {
        return resultPath(node, field, state, null);
    }

    private ResultPath resultPath(JsonNode node, String field, String state, String at) {
        String where = at == null ? field : at + "." + field;
        if (!node.has(field)) return ResultPath.REPLACE;
        if (node.get(field).isNull()) return ResultPath.DISCARD;
        if (!node.get(field).isTextual()) throw error(state, where, "must be a reference path or null");
        try {
            return ResultPath.parse(node.get(field).textValue());
        } catch (IllegalArgumentException e) {
            throw error(state, where, e.getMessage());
        }
    }

    private DataPath path(String text, String state, String field) {
        try {
            return DataPath.parse(text);
        } catch (IllegalArgumentException e) {
            throw error(state, field, e.getMessage());
        }
    }

    private Optional<String> text(JsonNode node, String field, String state, boolean required) {
        return text(node, field, state, null, required);
    }

    private Optional<String> text(JsonNode node, String field, String state, String at, boolean required) {
        String where = at == null ? field : at + "." + field;
        JsonNode value = node.get(field);
        if (value == null) {
            if (required) throw error(state, where, "is required");
            return Optional.empty();
        }
        if (!value.isTextual()) throw error(state, where, "must be a string");
        return Optional.of(value.textValue());
    }

    private Optional<Integer> positiveInt(JsonNode node, String field, String state) {
        return positiveInt(node, field, state, null);
    }

    private Optional<Integer> positiveInt(JsonNode node, String field, String state, String at) {
        Optional<Integer> value = nonNegativeInt(node, field, state, at);
        if (value.isPresent() && value.get() == 0) throw error(state, at == null ? field : at + "." + field, "must be a positive integer");
        return value;
    }

    private Optional<Integer> nonNegativeInt(JsonNode node, String field, String state) {
        return nonNegativeInt(node, field, state, null);
    }

    private Optional<Integer> nonNegativeInt(JsonNode node, String field, String state, String at) {
        JsonNode value = node.get(field);
        if (value == null) return Optional.empty();
        if (!value.canConvertToExactIntegral() || !value.canConvertToInt() || value.intValue() < 0) {
            throw error(state, at == null ? field : at + "." + field, "must be a non-negative integer, got " + Json.excerpt(value));
        }
        return Optional.of(value.intValue());
    }

    private DefinitionException error(String state, String field, String message) {
        return new DefinitionException(source, state, field, message);
    }

    private static String sorted(Set<String> names) {
        return String.join(", ", names.stream().sorted().toList());
    }
}
