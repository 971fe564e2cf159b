package dev.cairn.reconciler.manifest;

import com.fasterxml.jackson.databind.JsonNode;

/** An Argo CD application kept in the repo's shared applications folder. */
public record SharedApplication(ApplicationSpec spec, JsonNode raw, SourceMap sourceMap) {
}
