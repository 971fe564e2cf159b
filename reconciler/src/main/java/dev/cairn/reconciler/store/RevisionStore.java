package dev.cairn.reconciler.store;

import java.time.Instant;
import java.util.Optional;

/** The commit each infrastructure should be at: what the last push (or chat command) asked for. */
public interface RevisionStore {

    /**
     * @param commit  the full commit id
     * @param ref     the git ref it came from ({@code refs/heads/main})
     * @param trigger what asked for it ({@code github:push DELIVERY}, {@code slack:U123})
     */
    record DesiredRevision(String infrastructure, String commit, String ref, String trigger, Instant recordedAt) {
    }

    void putDesired(DesiredRevision revision);

    Optional<DesiredRevision> desired(String infrastructure);
}
