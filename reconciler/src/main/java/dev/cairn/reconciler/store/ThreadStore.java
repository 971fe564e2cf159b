package dev.cairn.reconciler.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Where each run's chat thread is: the channel and the id of the thread's head message (Slack's
 * {@code ts}), kept outside any one process so that every update of a run — from whichever Lambda
 * invocation of the state machine's task function — lands in one thread and edits one message.
 * It also rations the edits: {@link #claimUpdate} lets at most one writer per interval edit the
 * head message, and never to an older version of the run than the one already shown.
 */
public interface ThreadStore {

    /**
     * @param version   the run record's version the head message shows ({@code -1}: none yet)
     * @param updatedAt when the head message was last posted or edited
     * @param expiresAt when the entry may be forgotten (the DynamoDB TTL in AWS)
     */
    record RunThread(String infrastructure, String runId, String channel, String ts, long version, Instant updatedAt,
                     Instant expiresAt) {
    }

    /** Records a run's thread; false, changing nothing, when the run has one already (the first one wins). */
    boolean create(RunThread thread);

    Optional<RunThread> get(String infrastructure, String runId);

    /**
     * Takes the turn to edit the run's head message so that it shows {@code version}: true, and the
     * stored version and time become {@code version} and {@code now}, when the run has a thread, its
     * stored version is lower and its last edit was at least {@code minInterval} before {@code now};
     * false otherwise (changing nothing). Of concurrent claims at most one wins.
     */
    boolean claimUpdate(String infrastructure, String runId, long version, Instant now, Duration minInterval);
}
