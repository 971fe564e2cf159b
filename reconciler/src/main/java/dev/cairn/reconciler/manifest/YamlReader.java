package dev.cairn.reconciler.manifest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cairn.reconciler.diag.Diagnostic;
import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.reconciler.diag.Location;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads one YAML document into a Jackson tree while recording the line and column of every key
 * and value, so that later checks can point at the exact place. Duplicate keys and syntax errors
 * are reported with their location.
 */
public final class YamlReader {
    private static final YAMLFactory FACTORY = YAMLFactory.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    public YamlDocument read(Path file) {
        if (Files.isSymbolicLink(file)) {
            // its target could be any file of the machine, whose text would then appear in errors
            throw new InvalidInputException(new Diagnostic(Location.file(file), "file-symlink",
                    "the file is a symlink; Cairn does not follow links in the repo", "replace the link with the file itself"));
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new InvalidInputException(new Diagnostic(Location.file(file), "file-unreadable",
                    "cannot read file: " + e.getMessage(), "check the path and its permissions"));
        }
        return read(file, text);
    }

    public YamlDocument read(Path file, String text) {
        var sourceMap = new SourceMap(file);
        try (JsonParser parser = FACTORY.createParser(text)) {
            var token = parser.nextToken();
            if (token == null) {
                throw new InvalidInputException(new Diagnostic(Location.file(file), "yaml-empty",
                        "the file holds no YAML document", "write the manifest, starting with `apiVersion: cairn.dev/v1`"));
            }
            var root = readValue(parser, "", sourceMap);
            if (parser.nextToken() != null) {
                var loc = parser.currentTokenLocation();
                throw new InvalidInputException(new Diagnostic(at(file, loc), "yaml-multiple-documents",
                        "the file holds more than one YAML document", "keep one manifest per file; remove the `---` separator"));
            }
            return new YamlDocument(root, sourceMap);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            var message = e.getOriginalMessage().replaceAll("\\s+", " ").trim();
            throw new InvalidInputException(new Diagnostic(
                    loc == null ? Location.file(file) : at(file, loc), "yaml-syntax", message,
                    "fix the YAML syntax at this place (indentation, a missing ':' or an unclosed quote are the usual causes)"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode readValue(JsonParser parser, String pointer, SourceMap sourceMap) throws IOException {
        var loc = parser.currentTokenLocation();
        sourceMap.putValue(pointer, loc.getLineNr(), loc.getColumnNr());
        return switch (parser.currentToken()) {
            case START_OBJECT -> readObject(parser, pointer, sourceMap);
            case START_ARRAY -> readArray(parser, pointer, sourceMap);
            case VALUE_STRING -> NODES.textNode(parser.getText());
            case VALUE_NUMBER_INT -> intNode(parser);
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDecimalValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            case VALUE_EMBEDDED_OBJECT -> NODES.textNode(String.valueOf(parser.getEmbeddedObject()));
            default -> throw new IllegalStateException("unexpected YAML token " + parser.currentToken());
        };
    }

    private static JsonNode intNode(JsonParser parser) throws IOException {
        return switch (parser.getNumberType()) {
            case INT -> NODES.numberNode(parser.getIntValue());
            case LONG -> NODES.numberNode(parser.getLongValue());
            default -> NODES.numberNode(parser.getBigIntegerValue());
        };
    }

    private ObjectNode readObject(JsonParser parser, String pointer, SourceMap sourceMap) throws IOException {
        var node = NODES.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            var name = parser.currentName();
            var keyLoc = parser.currentTokenLocation();
            var child = SourceMap.child(pointer, name);
            if (node.has(name)) {
                throw new InvalidInputException(new Diagnostic(at(sourceMap.file(), keyLoc), "duplicate-key",
                        "key `" + name + "` appears twice in the same mapping (first at line "
                                + sourceMap.key(child).line() + ")",
                        "keep one `" + name + "` key; YAML would silently drop one of them"));
            }
            sourceMap.putKey(child, keyLoc.getLineNr(), keyLoc.getColumnNr());
            parser.nextToken();
            node.set(name, readValue(parser, child, sourceMap));
        }
        return node;
    }

    private ArrayNode readArray(JsonParser parser, String pointer, SourceMap sourceMap) throws IOException {
        var node = NODES.arrayNode();
        int index = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            node.add(readValue(parser, SourceMap.child(pointer, index++), sourceMap));
        }
        return node;
    }

    private static Location at(Path file, JsonLocation loc) {
        return new Location(file.toString(), Math.max(1, loc.getLineNr()), Math.max(1, loc.getColumnNr()));
    }
}
