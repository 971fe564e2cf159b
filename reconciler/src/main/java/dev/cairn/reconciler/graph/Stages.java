package dev.cairn.reconciler.graph;

import dev.cairn.reconciler.manifest.Infrastructure;
import dev.cairn.reconciler.module.ModuleInterface;

import java.util.Map;

/** The stages of one infrastructure, their DAG, and what each module declares. */
public record Stages(Infrastructure infrastructure, Map<String, StageDefinition> definitions, StageGraph graph,
                     Map<String, ModuleInterface> interfaces, Map<String, Object> stateConfig) {

    public StageDefinition get(String stage) {
        return definitions.get(stage);
    }
}
