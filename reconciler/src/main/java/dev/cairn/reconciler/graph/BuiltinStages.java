package dev.cairn.reconciler.graph;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The five built-in stages, their default modules, fixed order and wiring (see docs/stage-contract.md). */
public final class BuiltinStages {
    public static final List<String> NAMES = List.of("backend", "network", "domain", "kubernetes", "addons");

    /** Stages each built-in stage runs after, when those are enabled (besides backend, which all follow). */
    static final Map<String, Set<String>> ORDER = Map.of(
            "backend", Set.of(),
            "network", Set.of(),
            "domain", Set.of(),
            "kubernetes", Set.of("network"),
            "addons", Set.of("kubernetes", "domain"));

    /** Section keys that configure Cairn, not the module. */
    static final Set<String> CAIRN_KEYS = Set.of("enabled", "source", "version", "inputs");

    private BuiltinStages() {
    }

    /** variable ← template over an upstream output, per stage; applied only when that upstream is enabled. */
    static Map<String, String> wiring(String stage) {
        var w = new LinkedHashMap<String, String>();
        switch (stage) {
            case "kubernetes" -> {
                w.put("vpc_id", "network.vpc_id");
                w.put("subnet_ids", "network.private_subnet_ids");
            }
            case "addons" -> {
                w.put("cluster_name", "kubernetes.cluster_name");
                w.put("cluster_endpoint", "kubernetes.cluster_endpoint");
                w.put("cluster_certificate_authority_data", "kubernetes.cluster_certificate_authority_data");
                w.put("oidc_provider_arn", "kubernetes.oidc_provider_arn");
                w.put("zone_id", "domain.zone_id");
                w.put("domain_name", "domain.domain_name");
                w.put("kms_key_arn", "backend.kms_key_arn");
                w.put("secrets_prefix", "backend.secrets_prefix");
            }
            default -> {
            }
        }
        return w;
    }

    public static String defaultSource(String cloud, String stage) {
        return "cairn://" + ("none".equals(cloud) || cloud == null ? "aws" : cloud) + "/" + stage;
    }
}
