package dev.cairn.reconciler.store;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The outputs a stage's last apply produced, with the sensitive ones marked. */
public record StageOutputs(String stage, String runId, Instant appliedAt, Map<String, Output> values) {

    public record Output(Object value, boolean sensitive) {
    }

    /** Plain values, for templates. */
    public Map<String, Object> plain() {
        var out = new LinkedHashMap<String, Object>();
        values.forEach((k, v) -> out.put(k, v.value()));
        return out;
    }
}
