package dev.cairn.reconciler.manifest;

import java.util.Map;

/** What every built-in stage section and custom module shares: on/off, where the module comes from, extra inputs. */
public sealed interface StageSection permits BackendSpec, NetworkSpec, DomainSpec, KubernetesSpec, AddonsSpec, ModuleSpec {
    Boolean enabled();

    String source();

    String version();

    Map<String, Object> inputs();

    default boolean isEnabled() {
        return !Boolean.FALSE.equals(enabled());
    }
}
