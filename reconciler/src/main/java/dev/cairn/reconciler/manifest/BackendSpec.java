package dev.cairn.reconciler.manifest;

import java.util.Map;

/** State, config and secrets storage: created, or an existing bucket reused. */
public record BackendSpec(Boolean enabled, String source, String version, Map<String, Object> inputs,
                          Boolean create, String bucketName, Boolean forceDestroy, String secrets)
        implements StageSection {
}
