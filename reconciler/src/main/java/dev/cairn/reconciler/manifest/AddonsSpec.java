package dev.cairn.reconciler.manifest;

import java.util.Map;

/** In-cluster addons: ingress, certificates, DNS, Argo CD and Keycloak, each toggled on its own. */
public record AddonsSpec(Boolean enabled, String source, String version, Map<String, Object> inputs,
                         Map<String, Object> ingressNginx, CertManager certManager, Map<String, Object> externalDns,
                         Map<String, Object> argocd, Keycloak keycloak)
        implements StageSection {

    public record CertManager(Boolean enabled, String email) {
    }

    public record Keycloak(Boolean enabled, String adminUser, String realm) {
    }
}
