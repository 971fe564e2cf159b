package dev.cairn.reconciler.bundle;

import dev.cairn.reconciler.manifest.Infrastructure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The generated {@code provider "aws"} and S3 backend blocks, from {@code spec.provider} and {@code spec.state}. */
final class ProviderConfig {
    private ProviderConfig() {
    }

    static Map<String, Object> aws(Infrastructure infra) {
        var p = infra.spec().provider();
        var aws = new LinkedHashMap<String, Object>();
        if (p.region() != null) aws.put("region", p.region());
        if (p.accountId() != null) aws.put("allowed_account_ids", List.of(p.accountId()));
        if (p.roleArn() != null) aws.put("assume_role", assumeRole(p, "cairn-" + infra.name()));
        var tags = new LinkedHashMap<>(infra.spec().tags());
        tags.put("cairn:infrastructure", infra.name());
        aws.put("default_tags", Map.of("tags", tags));
        if (p.endpoints() != null && !p.endpoints().isEmpty()) aws.put("endpoints", p.endpoints());
        if (p.isEmulator()) {
            aws.put("s3_use_path_style", true);
            aws.put("skip_credentials_validation", true);
            aws.put("skip_requesting_account_id", true);
            aws.put("skip_metadata_api_check", true);
        }
        return Map.of("provider", Map.of("aws", aws));
    }

    private static Map<String, Object> assumeRole(dev.cairn.reconciler.manifest.Spec.ProviderSpec p, String sessionName) {
        var assume = new LinkedHashMap<String, Object>();
        assume.put("role_arn", p.roleArn());
        if (sessionName != null) assume.put("session_name", sessionName);
        if (p.externalId() != null) assume.put("external_id", p.externalId());
        return assume;
    }

    static Map<String, Object> s3Backend(Infrastructure infra, Map<String, Object> state, String stage) {
        var p = infra.spec().provider();
        var s3 = new LinkedHashMap<String, Object>();
        s3.put("bucket", state.get("bucket"));
        s3.put("key", state.get("keyPrefix") + "/" + stage + ".tfstate");
        if (state.get("region") != null) s3.put("region", state.get("region"));
        s3.put("use_lockfile", true);
        s3.put("encrypt", true);
        if (p.roleArn() != null) s3.put("assume_role", assumeRole(p, null));
        if (p.endpoints() != null && p.endpoints().containsKey("s3")) s3.put("endpoints", Map.of("s3", p.endpoints().get("s3")));
        if (p.isEmulator()) {
            s3.put("use_path_style", true);
            s3.put("skip_credentials_validation", true);
            s3.put("skip_requesting_account_id", true);
            s3.put("skip_metadata_api_check", true);
            s3.put("skip_region_validation", true);
        }
        return Map.of("terraform", Map.of("backend", Map.of("s3", s3)));
    }
}
