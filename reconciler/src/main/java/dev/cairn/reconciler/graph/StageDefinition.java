package dev.cairn.reconciler.graph;

import dev.cairn.reconciler.module.ModuleSource;

import java.util.Map;
import java.util.Set;

/**
 * One stage of an infrastructure as the manifest defines it, before any value is rendered.
 *
 * @param settings the section's own settings, already snake_case (may hold templates)
 * @param wiring   inputs Cairn derives from upstream stages (templates), passed when the module declares them
 * @param inputs   the user's {@code inputs} (templates), which win over everything else
 * @param pointer  JSON pointer of the section in the manifest, for error locations
 */
public record StageDefinition(String name, boolean builtin, ModuleSource source, Set<String> explicitDependencies,
                              Map<String, Object> settings, Map<String, Object> wiring, Map<String, Object> inputs,
                              String pointer) {
}
