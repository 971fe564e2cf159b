package dev.cairn.reconciler.manifest;

import java.util.List;
import java.util.Map;

/** A team's own Terraform module, placed in the stage DAG by {@code dependsOn} and by its input references. */
public record ModuleSpec(String name, Boolean enabled, String source, String version, List<String> dependsOn,
                         Map<String, Object> inputs) implements StageSection {

    public ModuleSpec {
        dependsOn = dependsOn == null ? List.of() : dependsOn;
    }
}
