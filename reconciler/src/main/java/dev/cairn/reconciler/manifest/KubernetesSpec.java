package dev.cairn.reconciler.manifest;

import java.util.List;
import java.util.Map;

/** The one Kubernetes cluster of the infrastructure, created or reused. */
public record KubernetesSpec(Boolean enabled, String source, String version, Map<String, Object> inputs,
                             Boolean create, String clusterName, String kubernetesVersion,
                             Boolean endpointPublicAccess, List<String> adminRoleArns, List<NodeGroup> nodeGroups)
        implements StageSection {

    public record NodeGroup(String name, List<String> instanceTypes, Integer minSize, Integer maxSize,
                            Integer desiredSize, String capacityType) {
    }
}
