package dev.cairn.reconciler.store;

import java.time.Instant;
import java.util.Optional;

/**
 * One lock per infrastructure so that two runs never touch it at once. Implementations acquire
 * with a conditional write (create-if-absent), never read-then-write.
 */
public interface LockStore {

    record LockOwner(String runId, String holder, long pid, Instant since) {
    }

    /** Takes the lock, or returns the current owner in {@link LockedException}. */
    void acquire(String infrastructure, LockOwner owner) throws LockedException;

    /** Releases the lock if {@code runId} still holds it. */
    void release(String infrastructure, String runId);

    Optional<LockOwner> owner(String infrastructure);

    /** Removes the lock whoever holds it (the `cairn unlock` escape hatch). */
    void forceRelease(String infrastructure);

    class LockedException extends RuntimeException {
        private final LockOwner owner;

        public LockedException(String infrastructure, LockOwner owner) {
            super("infrastructure `" + infrastructure + "` is locked by run " + owner.runId() + " (" + owner.holder()
                    + ", since " + owner.since() + ")");
            this.owner = owner;
        }

        public LockOwner owner() {
            return owner;
        }
    }
}
