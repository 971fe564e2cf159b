package dev.cairn.reconciler.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.cairn.reconciler.diag.Diagnostic;
import dev.cairn.reconciler.diag.Suggestions;
import dev.cairn.reconciler.manifest.SourceMap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Checks a document against one of Cairn's published JSON Schemas (networknt validator) and turns
 * each violation into a {@link Diagnostic} at the offending key or value, with a hint.
 */
public final class SchemaCheck {
    public static final SchemaCheck INFRASTRUCTURE = new SchemaCheck("infrastructure.schema.json");
    public static final SchemaCheck REPOSITORY = new SchemaCheck("repository.schema.json");

    private final JsonSchema schema;
    private final JsonNode schemaRoot;

    private SchemaCheck(String name) {
        try (var in = SchemaCheck.class.getResourceAsStream("/cairn/schema/" + name)) {
            if (in == null) throw new IllegalStateException("schema " + name + " is missing from the classpath");
            schemaRoot = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var config = SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).build();
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaRoot, config);
    }

    public JsonNode schemaRoot() {
        return schemaRoot;
    }

    public List<Diagnostic> check(JsonNode document, SourceMap sourceMap) {
        return check(document, sourceMap, UnaryOperator.identity());
    }

    /** @param pointerToSource maps a pointer in {@code document} to the pointer in the file (for merged documents). */
    public List<Diagnostic> check(JsonNode document, SourceMap sourceMap, UnaryOperator<String> pointerToSource) {
        return check(document, sourceMap, pointerToSource, p -> true);
    }

    /**
     * Checks a merged document, reporting only what the file itself says ({@code owned}): a
     * value that came from elsewhere (repo defaults) is reported where it was written. Missing
     * keys are always reported, at the nearest place in the file.
     */
    public List<Diagnostic> check(JsonNode document, SourceMap sourceMap, UnaryOperator<String> pointerToSource,
                                  java.util.function.Predicate<String> owned) {
        var messages = new ArrayList<>(schema.validate(document));
        messages.sort(Comparator.comparing(m -> m.getInstanceLocation().toString()));
        var seen = new LinkedHashSet<String>();
        var out = new ArrayList<Diagnostic>();
        for (var m : messages) {
            var pointer = m.getInstanceLocation().toString();
            if (m.getType().equals("additionalProperties")) pointer = SourceMap.child(pointer, m.getProperty());
            if (!m.getType().equals("required") && !owned.test(pointer)) continue;
            var d = toDiagnostic(m, sourceMap, pointerToSource);
            if (seen.add(d.format())) out.add(d);
        }
        return out;
    }

    private Diagnostic toDiagnostic(ValidationMessage m, SourceMap sourceMap, UnaryOperator<String> toSource) {
        var pointer = m.getInstanceLocation().toString();
        var where = pointer.isEmpty() ? "the document" : "`" + dotted(pointer) + "`";
        var schemaNode = m.getSchemaNode();
        switch (m.getType()) {
            case "additionalProperties" -> {
                var key = m.getProperty();
                var allowed = allowedKeys(m);
                var suggestion = Suggestions.closest(key, allowed);
                return new Diagnostic(sourceMap.key(toSource.apply(SourceMap.child(pointer, key))), "unknown-key",
                        "unknown key `" + key + "` in " + where,
                        suggestion != null ? "did you mean `" + suggestion + "`?"
                                : allowed.isEmpty() ? "remove it" : "allowed keys: " + String.join(", ", allowed));
            }
            case "required" -> {
                return new Diagnostic(sourceMap.value(toSource.apply(pointer)), "missing-key",
                        where + " is missing the required key `" + m.getProperty() + "`",
                        "add `" + m.getProperty() + ":`" + describe(schemaAt(m, m.getProperty())));
            }
            case "type" -> {
                var args = m.getArguments();
                var found = args.length > 0 ? String.valueOf(args[0]) : "?";
                var expected = args.length > 1 ? String.valueOf(args[1]) : "?";
                return new Diagnostic(sourceMap.value(toSource.apply(pointer)), "wrong-type",
                        where + " is " + article(found) + ", expected " + article(expected),
                        "string values that look like numbers or booleans need quotes: \"1.31\", \"true\"");
            }
            case "enum", "const" -> {
                var allowed = schemaNode == null ? "" : schemaNode.toString();
                return new Diagnostic(sourceMap.value(toSource.apply(pointer)), "bad-value",
                        where + " has the value " + m.getInstanceNode() + ", which is not allowed",
                        "use one of: " + allowed.replace("[", "").replace("]", "").replace(",", ", "));
            }
            case "pattern" -> {
                return new Diagnostic(sourceMap.value(toSource.apply(pointer)), "bad-format",
                        where + " " + m.getInstanceNode() + " does not have the expected format",
                        parentDescription(m, "expected pattern " + (schemaNode == null ? "" : schemaNode.asText())));
            }
            default -> {
                var message = m.getMessage();
                var colon = message.indexOf(": ");
                if (colon >= 0 && message.startsWith(pointer)) message = message.substring(colon + 2);
                return new Diagnostic(sourceMap.value(toSource.apply(pointer)), "bad-value",
                        where + ": " + message, parentDescription(m, "see schema/ for the allowed values"));
            }
        }
    }

    /** The keys a mapping may have, read from the schema next to the violated keyword. */
    private Set<String> allowedKeys(ValidationMessage m) {
        var names = new LinkedHashSet<String>();
        var parent = parentSchema(m);
        if (parent != null && parent.has("properties")) {
            Iterator<String> it = parent.get("properties").fieldNames();
            it.forEachRemaining(names::add);
        }
        return names;
    }

    private JsonNode schemaAt(ValidationMessage m, String property) {
        var parent = parentSchema(m);
        return parent == null ? null : parent.path("properties").path(property);
    }

    private String parentDescription(ValidationMessage m, String fallback) {
        var parent = parentSchema(m);
        var description = parent == null ? null : parent.path("description").asText(null);
        return description != null ? description : fallback;
    }

    private JsonNode parentSchema(ValidationMessage m) {
        var fragment = m.getSchemaLocation().getFragment().toString();
        var slash = fragment.lastIndexOf('/');
        if (slash < 0) return null;
        var node = schemaRoot.at(fragment.substring(0, slash));
        if (node.has("$ref")) node = schemaRoot.at(node.get("$ref").asText().substring(1));
        return node.isMissingNode() ? null : node;
    }

    private static String describe(JsonNode schema) {
        if (schema == null || schema.isMissingNode()) return "";
        var description = schema.path("description").asText("");
        return description.isEmpty() ? "" : " (" + description + ")";
    }

    private static String article(String type) {
        return switch (type) {
            case "object" -> "a mapping";
            case "array" -> "a list";
            case "integer", "array/object" -> "an " + type;
            default -> "a " + type;
        };
    }

    static String dotted(String pointer) {
        return pointer.substring(1).replace('/', '.');
    }
}
