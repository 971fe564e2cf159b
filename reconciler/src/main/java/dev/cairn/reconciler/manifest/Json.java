package dev.cairn.reconciler.manifest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.util.Map;

/** The one Jackson mapper Cairn uses for its own JSON (state files, tfvars, plan JSON, CLI output). */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS, false)
            .configure(SerializationFeature.INDENT_OUTPUT, true);

    private Json() {
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> toMap(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) return Map.of();
        return MAPPER.convertValue(node, Map.class);
    }

    /** Deep merge: objects merge key by key, anything else in {@code over} replaces {@code base}. */
    public static JsonNode merge(JsonNode base, JsonNode over) {
        if (base == null || base.isMissingNode() || base.isNull()) return over;
        if (over == null || over.isMissingNode()) return base;
        if (!(base instanceof ObjectNode b) || !(over instanceof ObjectNode o)) return over;
        var result = b.deepCopy();
        o.fields().forEachRemaining(e -> result.set(e.getKey(), merge(result.get(e.getKey()), e.getValue())));
        return result;
    }
}
