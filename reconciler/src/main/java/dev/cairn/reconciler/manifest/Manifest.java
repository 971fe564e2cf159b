package dev.cairn.reconciler.manifest;

/** One infrastructure manifest ({@code kind: Infrastructure}), as the JSON Schema describes it. */
public record Manifest(String apiVersion, String kind, Metadata metadata, Spec spec) {

    public record Metadata(String name, String description, java.util.Map<String, String> labels) {
    }
}
