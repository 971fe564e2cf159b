package dev.cairn.reconciler.manifest;

import com.fasterxml.jackson.databind.JsonNode;

/** A parsed YAML file: its tree and where every node came from. */
public record YamlDocument(JsonNode root, SourceMap sourceMap) {
}
