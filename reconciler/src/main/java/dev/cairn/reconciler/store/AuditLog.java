package dev.cairn.reconciler.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Append-only record of who asked for what and what Cairn decided: webhook deliveries, runs
 * started, chat commands allowed or refused, approvals. Entries are never updated or deleted.
 */
public interface AuditLog {

    /**
     * @param infrastructure the infrastructure concerned, or {@code "-"} for repo-wide events
     * @param actor          who: {@code github:octocat}, {@code slack:U123}, {@code cli:alice}
     * @param action         what was asked: {@code push}, {@code apply}, {@code approve}
     * @param outcome        what Cairn decided: {@code started}, {@code refused}, {@code duplicate}
     * @param details        short facts (commit, run id, reason); never secrets
     */
    record Entry(Instant at, String infrastructure, String actor, String action, String outcome, Map<String, String> details) {
    }

    void append(Entry entry);

    /** The newest entries first. */
    List<Entry> list(String infrastructure, int limit);
}
