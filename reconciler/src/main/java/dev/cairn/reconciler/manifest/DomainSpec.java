package dev.cairn.reconciler.manifest;

import java.util.Map;

/** The DNS zone of the infrastructure, created (optionally delegated from a parent) or reused. */
public record DomainSpec(Boolean enabled, String source, String version, Map<String, Object> inputs,
                         Boolean create, String domainName, String zoneId, String parentZoneId, Boolean certificate)
        implements StageSection {
}
