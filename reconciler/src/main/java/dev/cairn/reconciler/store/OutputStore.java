package dev.cairn.reconciler.store;

import java.util.Map;
import java.util.Optional;

/** The latest applied outputs of each stage of each infrastructure. Sensitive values are stored, never printed. */
public interface OutputStore {
    void put(String infrastructure, StageOutputs outputs);

    Optional<StageOutputs> get(String infrastructure, String stage);

    Map<String, StageOutputs> all(String infrastructure);

    void delete(String infrastructure, String stage);
}
