package dev.cairn.reconciler.store;

import dev.cairn.reconciler.run.Run;

import java.util.List;
import java.util.Optional;

/** Runs and their stage results, keyed by infrastructure and run id. Writes are conditional on the version. */
public interface RunStore {

    /**
     * Stores {@code run}, which must be new (version 0, and no run with its id stored) or exactly one
     * version after the stored one; anything else is a {@link ConflictException}.
     */
    void put(Run run) throws ConflictException;

    Optional<Run> get(String infrastructure, String runId);

    /** The newest runs first (run ids sort by time). */
    List<Run> list(String infrastructure, int limit);

    class ConflictException extends RuntimeException {
        public ConflictException(String message) {
            super(message);
        }
    }
}
