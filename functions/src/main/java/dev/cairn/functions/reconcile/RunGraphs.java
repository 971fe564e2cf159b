package dev.cairn.functions.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.reconciler.graph.StageGraph;
import dev.cairn.reconciler.store.BlobStore;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stage DAG and stage policies of a run, kept beside it in the blob store
 * ({@code runs/INFRA/RUN/plan.json}) by Prepare, so that every later step reads ids only.
 */
final class RunGraphs {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BlobStore blobs;

    RunGraphs(BlobStore blobs) {
        this.blobs = blobs;
    }

    static String key(String infrastructure, String runId) {
        return "runs/" + infrastructure + "/" + runId + "/plan.json";
    }

    void save(String infrastructure, String runId, StagePlanner.Planned planned) {
        var stages = new LinkedHashMap<String, Object>();
        for (var stage : planned.graph().stages()) {
            var policy = planned.policy(stage);
            stages.put(stage, Map.of("dependsOn", List.copyOf(planned.graph().dependenciesOf(stage)),
                    "approval", policy.approval(), "roleArn", policy.roleArn(), "previewRoleArn", policy.previewRoleArn()));
        }
        try {
            var plan = new LinkedHashMap<String, Object>();
            plan.put("parallelism", planned.parallelism());
            plan.put("stages", stages);
            if (planned.notifications() != null) plan.put("notifications", planned.notifications());
            blobs.put(key(infrastructure, runId), JSON.writeValueAsBytes(plan));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    StagePlanner.Planned load(String infrastructure, String runId) {
        var bytes = blobs.get(key(infrastructure, runId)).orElseThrow(() -> new IllegalStateException(
                "run " + runId + " of " + infrastructure + " has no stage plan at " + key(infrastructure, runId) + " (was Prepare run?)"));
        try {
            var tree = JSON.readTree(bytes);
            var graph = new StageGraph();
            var policies = new LinkedHashMap<String, StagePlanner.StagePolicy>();
            tree.path("stages").fieldNames().forEachRemaining(graph::addStage);
            tree.path("stages").properties().forEach(e -> {
                e.getValue().path("dependsOn").forEach(d -> graph.addDependency(e.getKey(), d.asText()));
                policies.put(e.getKey(), new StagePlanner.StagePolicy(e.getValue().path("approval").asBoolean(),
                        e.getValue().path("roleArn").asText(""), e.getValue().path("previewRoleArn").asText("")));
            });
            var notifications = tree.hasNonNull("notifications")
                    ? JSON.treeToValue(tree.get("notifications"), dev.cairn.reconciler.manifest.Spec.NotificationsSpec.class) : null;
            return new StagePlanner.Planned(graph, tree.path("parallelism").asInt(1), policies, notifications);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
