package dev.cairn.reconciler.manifest;

import java.util.List;
import java.util.Map;

/** An Argo CD Application (helm chart, kustomize or raw manifests from any repo). */
public record ApplicationSpec(String name, String project, String namespace, List<String> infrastructures,
                              Source source, SyncPolicy syncPolicy) {

    public record Source(String repoURL, String targetRevision, String path, String chart, Helm helm,
                         Map<String, Object> kustomize, Map<String, Object> directory) {
    }

    public record Helm(String releaseName, List<String> valueFiles, Map<String, Object> values) {
    }

    public record SyncPolicy(Boolean automated, Boolean prune, Boolean selfHeal, Boolean createNamespace) {
    }

    public boolean appliesTo(String infrastructure) {
        return infrastructures == null || infrastructures.isEmpty() || infrastructures.contains(infrastructure);
    }
}
