package dev.cairn.reconciler.manifest;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A loaded infrastructure: the typed manifest, the raw spec (repo defaults merged in) that
 * templates see as {@code spec.*}, and the source map of its file.
 */
public record Infrastructure(String name, Path file, Manifest manifest, JsonNode specNode, SourceMap sourceMap,
                             Map<String, Object> variables) {

    public Spec spec() {
        return manifest.spec();
    }

    /** Template values for {@code infra.*}. */
    public Map<String, Object> infraValues() {
        var values = new LinkedHashMap<String, Object>();
        values.put("name", name);
        var labels = manifest.metadata().labels();
        values.put("labels", labels == null ? Map.of() : labels);
        return values;
    }
}
