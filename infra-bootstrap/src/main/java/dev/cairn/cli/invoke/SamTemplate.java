package dev.cairn.cli.invoke;

import dev.cairn.reconciler.diag.Diagnostic;
import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.reconciler.diag.Location;
import dev.cairn.reconciler.diag.Suggestions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An AWS SAM (or CloudFormation) template as {@code cairn invoke} needs it: its parameters,
 * conditions, resources and functions. Reads the YAML node tree itself so that the short-form
 * tags ({@code !Ref}, {@code !GetAtt}, {@code !Sub}, {@code !If}, ...) become {@link Intrinsic}s
 * that remember their line, which a plain YAML-to-JSON reader would refuse or lose.
 */
public final class SamTemplate {
    static final String SERVERLESS_FUNCTION = "AWS::Serverless::Function";
    static final String LAMBDA_FUNCTION = "AWS::Lambda::Function";

    private final Path file;
    private final Map<String, Object> root;
    private final Map<Object, Location> locations;

    private SamTemplate(Path file, Map<String, Object> root, Map<Object, Location> locations) {
        this.file = file;
        this.root = root;
        this.locations = locations;
    }

    /** One parameter: its type and default ({@code null} when it has none). */
    public record Parameter(String name, String type, String defaultValue) {
    }

    /** A function of the template, with its environment merged from Globals (the function's own entries win). */
    public record Function(String logicalId, String handler, Map<String, Object> environment, Integer timeoutSeconds,
                           Integer memoryMb, Location at) {
    }

    public static SamTemplate load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw invalid(Location.file(file), "template-unreadable", "cannot read the template: " + e.getMessage(),
                    "pass the SAM template with --template PATH");
        }
        return parse(file, text);
    }

    static SamTemplate parse(Path file, String text) {
        var options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Node node;
        try (Reader reader = new java.io.StringReader(text)) {
            node = new Yaml(options).compose(reader);
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark();
            throw invalid(Location.of(file, mark.getLine() + 1, mark.getColumn() + 1), "template-yaml", e.getProblem(), null);
        } catch (YAMLException | IOException e) {
            throw invalid(Location.file(file), "template-yaml", e.getMessage(), null);
        }
        if (!(node instanceof MappingNode)) {
            throw invalid(Location.file(file), "template-shape", "a template is a mapping with Resources", null);
        }
        var locations = new IdentityHashMap<Object, Location>();
        @SuppressWarnings("unchecked")
        var root = (Map<String, Object>) new Converter(file, locations).convert(node);
        if (!(root.get("Resources") instanceof Map<?, ?>)) {
            throw invalid(Location.file(file), "template-shape", "the template has no Resources mapping", null);
        }
        return new SamTemplate(file, root, locations);
    }

    public Path file() {
        return file;
    }

    public Map<String, Parameter> parameters() {
        var result = new LinkedHashMap<String, Parameter>();
        mapping(root.get("Parameters")).forEach((name, value) -> {
            var p = mapping(value);
            var type = p.get("Type") instanceof String s ? s : "String";
            var def = p.get("Default");
            result.put(name, new Parameter(name, type, def == null ? null : scalarText(def)));
        });
        return result;
    }

    public Map<String, Object> mappings() {
        return mapping(root.get("Mappings"));
    }

    public Map<String, Object> conditions() {
        return mapping(root.get("Conditions"));
    }

    /** Logical id → resource type, in template order. */
    public Map<String, String> resourceTypes() {
        var result = new LinkedHashMap<String, String>();
        mapping(root.get("Resources")).forEach((id, value) -> {
            var type = mapping(value).get("Type");
            result.put(id, type instanceof String s ? s : "");
        });
        return result;
    }

    /** A resource's {@code Properties} (maps, lists, strings and {@link Intrinsic}s); empty when it has none or is not declared. */
    public Map<String, Object> properties(String logicalId) {
        return mapping(mapping(mapping(root.get("Resources")).get(logicalId)).get("Properties"));
    }

    public List<String> functionIds() {
        var ids = new ArrayList<String>();
        resourceTypes().forEach((id, type) -> {
            if (SERVERLESS_FUNCTION.equals(type) || LAMBDA_FUNCTION.equals(type)) ids.add(id);
        });
        return ids;
    }

    /** The function with this logical id; an unknown id is bad input, answered with the ids there are. */
    public Function function(String logicalId) {
        var ids = functionIds();
        if (!ids.contains(logicalId)) {
            var closest = Suggestions.closest(logicalId, ids);
            var hint = (closest == null ? "" : "did you mean `" + closest + "`? ")
                    + (ids.isEmpty() ? "the template declares no function" : "the functions are: " + String.join(", ", ids));
            throw invalid(Location.file(file), "unknown-function", "no function `" + logicalId + "` in the template", hint);
        }
        var resource = mapping(mapping(root.get("Resources")).get(logicalId));
        var props = mapping(resource.get("Properties"));
        boolean serverless = SERVERLESS_FUNCTION.equals(resource.get("Type"));
        var globals = serverless ? mapping(mapping(root.get("Globals")).get("Function")) : Map.<String, Object>of();
        var at = locations.getOrDefault(resource, Location.file(file));
        var handler = props.containsKey("Handler") ? props.get("Handler") : globals.get("Handler");
        if (!(handler instanceof String h) || h.isBlank()) {
            throw invalid(at, "function-handler", "function `" + logicalId + "` has no Handler (CLASS::method)", null);
        }
        var environment = new LinkedHashMap<String, Object>();
        environment.putAll(variables(globals));
        environment.putAll(variables(props));
        return new Function(logicalId, h, environment, integer(props, globals, "Timeout"), integer(props, globals, "MemorySize"), at);
    }

    private static Map<String, Object> variables(Map<String, Object> props) {
        return mapping(mapping(props.get("Environment")).get("Variables"));
    }

    private static Integer integer(Map<String, Object> props, Map<String, Object> globals, String key) {
        var value = props.containsKey(key) ? props.get(key) : globals.get(key);
        if (value instanceof String s) {
            try {
                return Integer.valueOf(s.trim());
            } catch (NumberFormatException notLiteral) {
                return null;
            }
        }
        return null;
    }

    Location locationOf(Object value) {
        return locations.getOrDefault(value, Location.file(file));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> mapping(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    static String scalarText(Object value) {
        return value instanceof String s ? s : String.valueOf(value);
    }

    static InvalidInputException invalid(Location at, String rule, String message, String hint) {
        return new InvalidInputException(new Diagnostic(at, rule, message, hint));
    }

    /** Node tree → maps, lists, strings (scalars keep their text) and {@link Intrinsic}s. */
    private record Converter(Path file, Map<Object, Location> locations) {
        Object convert(Node node) {
            var at = Location.of(file, node.getStartMark().getLine() + 1, node.getStartMark().getColumn() + 1);
            var tag = node.getTag();
            Object plain = switch (node) {
                case ScalarNode scalar -> Tag.NULL.equals(tag) ? null : scalar.getValue();
                case SequenceNode sequence -> {
                    var list = new ArrayList<Object>();
                    sequence.getValue().forEach(item -> list.add(convert(item)));
                    yield list;
                }
                case MappingNode mapping -> {
                    var map = new LinkedHashMap<String, Object>();
                    for (var tuple : mapping.getValue()) {
                        var key = tuple.getKeyNode() instanceof ScalarNode k ? k.getValue() : String.valueOf(convert(tuple.getKeyNode()));
                        map.put(key, convert(tuple.getValueNode()));
                    }
                    yield longForm(map, at);
                }
                default -> null;
            };
            if (tag.getValue().startsWith("!")) {
                var shortName = tag.getValue().substring(1);
                var name = shortName.equals("Ref") || shortName.equals("Condition") ? shortName : "Fn::" + shortName;
                Object argument = plain;
                if (name.equals("Fn::GetAtt") && plain instanceof String s) {
                    int dot = s.indexOf('.');
                    argument = dot < 0 ? List.of(s) : List.of(s.substring(0, dot), s.substring(dot + 1));
                }
                return new Intrinsic(name, argument, at);
            }
            if (plain != null) locations.put(plain, at);
            return plain;
        }

        /** {@code {Ref: X}} and {@code {"Fn::Sub": ...}} written out in full are intrinsics too. */
        private static Object longForm(Map<String, Object> map, Location at) {
            if (map.size() != 1) return map;
            var key = map.keySet().iterator().next();
            if (key.equals("Ref") || key.equals("Condition") && map.get(key) instanceof String || key.startsWith("Fn::")) {
                return new Intrinsic(key, map.get(key), at);
            }
            return map;
        }
    }
}
