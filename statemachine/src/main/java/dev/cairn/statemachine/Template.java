package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A payload template (Parameters, ItemSelector, ResultSelector): JSON whose keys ending in
 * {@code .$} take their value from a path, the context object or an intrinsic function. Checked
 * when the definition loads.
 */
sealed interface Template {

    JsonNode eval(JsonNode input, JsonNode context, RandomGenerator random) throws TaskFailure;

    record Constant(JsonNode value) implements Template {
        public JsonNode eval(JsonNode input, JsonNode context, RandomGenerator random) {
            return value.deepCopy();
        }
    }

    record Dynamic(String key, DataPath path, Intrinsic call) implements Template {
        public JsonNode eval(JsonNode input, JsonNode context, RandomGenerator random) throws TaskFailure {
            if (call != null) return call.eval(input, context, random);
            var found = path.find(input, context);
            if (found.isEmpty()) {
                throw new TaskFailure("States.Runtime", "The JSONPath '" + path + "' specified for the field '" + key
                        + "' could not be found in the " + (path.context() ? "context object" : "input")
                        + " '" + Json.excerpt(path.context() ? context : input) + "'");
            }
            return found.get();
        }
    }

    record Fields(Map<String, Template> fields) implements Template {
        public JsonNode eval(JsonNode input, JsonNode context, RandomGenerator random) throws TaskFailure {
            ObjectNode out = Json.object();
            for (var field : fields.entrySet()) out.set(field.getKey(), field.getValue().eval(input, context, random));
            return out;
        }
    }

    record Items(List<Template> items) implements Template {
        public JsonNode eval(JsonNode input, JsonNode context, RandomGenerator random) throws TaskFailure {
            ArrayNode out = Json.NODES.arrayNode();
            for (Template item : items) out.add(item.eval(input, context, random));
            return out;
        }
    }

    /** @throws IllegalArgumentException with the key that is wrong */
    static Template compile(JsonNode node) {
        if (node.isObject()) {
            Map<String, Template> fields = new LinkedHashMap<>();
            for (var field : node.properties()) {
                String key = field.getKey();
                JsonNode value = field.getValue();
                if (key.endsWith(".$")) {
                    String name = key.substring(0, key.length() - 2);
                    if (!value.isTextual()) {
                        throw new IllegalArgumentException("'" + key + "' must be a string (a path or an intrinsic function)");
                    }
                    String text = value.textValue().strip();
                    try {
                        if (DataPath.looksLikePath(text)) {
                            fields.put(name, new Dynamic(key, DataPath.parse(text), null));
                        } else if (Intrinsic.looksLikeCall(text)) {
                            fields.put(name, new Dynamic(key, null, Intrinsic.parse(text)));
                        } else {
                            throw new IllegalArgumentException("must be a path ($...), a context path ($$...) or an"
                                    + " intrinsic function (States.Format(...)), got '" + text + "'");
                        }
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("'" + key + "': " + e.getMessage());
                    }
                } else {
                    fields.put(key, compile(value));
                }
            }
            return fields.values().stream().allMatch(t -> t instanceof Constant) ? new Constant(node) : new Fields(fields);
        }
        if (node.isArray()) {
            List<Template> items = new ArrayList<>();
            node.forEach(item -> items.add(compile(item)));
            return items.stream().allMatch(t -> t instanceof Constant) ? new Constant(node) : new Items(items);
        }
        return new Constant(node);
    }
}
