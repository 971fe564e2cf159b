package dev.cairn.reconciler.store;

import java.time.Instant;
import java.util.Optional;

/**
 * One lock per infrastructure so that two runs never touch it at once. Taking the lock is atomic:
 * one conditional write in AWS ({@code attribute_not_exists(pk) OR leaseUntil < :now}), a
 * check-and-replace under an OS file lock locally; never an unguarded read-then-write.
 *
 * <p>A lock is free when nobody holds it, when its lease has run out, or (no lease, local only)
 * when its holder is a process of this host that no longer exists.
 */
public interface LockStore {

    /**
     * Who holds the lock.
     *
     * @param runId        the run holding it
     * @param holder       the host (locally) or the function that took it
     * @param pid          the holding process locally, {@code 0} when that means nothing (Lambda)
     * @param since        when it was taken
     * @param leaseUntil   when the lock may be taken over unless renewed (millisecond precision);
     *                     {@code null}: no lease, the lock lives until released (locally: until the
     *                     holding process is gone)
     * @param executionArn the Step Functions execution running the run, {@code null} locally
     */
    record LockOwner(String runId, String holder, long pid, Instant since, Instant leaseUntil, String executionArn) {

        /** A local owner: no lease, liveness by host and pid. */
        public LockOwner(String runId, String holder, long pid, Instant since) {
            this(runId, holder, pid, since, null, null);
        }

        /** Whether the lease has run out at {@code now} (never, without a lease). */
        public boolean leaseExpired(Instant now) {
            return leaseUntil != null && leaseUntil.isBefore(now);
        }
    }

    /** Takes the lock, or returns the current owner in {@link LockedException}. */
    void acquire(String infrastructure, LockOwner owner) throws LockedException;

    /**
     * Moves the lease of the lock {@code runId} holds to {@code leaseUntil}.
     *
     * @return {@code false} when {@code runId} no longer holds the lock (it was taken over after its
     *         lease ran out, or force-released): the run must stop
     */
    boolean renew(String infrastructure, String runId, Instant leaseUntil);

    /** Releases the lock if {@code runId} still holds it. */
    void release(String infrastructure, String runId);

    Optional<LockOwner> owner(String infrastructure);

    /** Removes the lock whoever holds it (the `cairn unlock` escape hatch). */
    void forceRelease(String infrastructure);

    class LockedException extends RuntimeException {
        private final LockOwner owner;

        public LockedException(String infrastructure, LockOwner owner) {
            super("infrastructure `" + infrastructure + "` is locked by run " + owner.runId() + " (" + owner.holder()
                    + ", since " + owner.since() + (owner.leaseUntil() == null ? "" : ", lease until " + owner.leaseUntil())
                    + ")");
            this.owner = owner;
        }

        public LockOwner owner() {
            return owner;
        }
    }
}
