package dev.cairn.reconciler.run;

import dev.cairn.reconciler.store.RunStore;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Keeps a local run's record in the {@link RunStore} without making its stages wait for the disk:
 * every change is offered, and one writer thread stores the latest state (changes that came while it
 * wrote are coalesced into its next write, each write the stored version + 1). {@link #flush} writes
 * the final record after every pending write; nothing older is written after it. The local driver
 * holds the infrastructure's lock, so nobody else writes its run.
 */
final class RunRecorder {
    private final RunStore runs;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("cairn-record").daemon().factory());
    private final Object writing = new Object();
    /** The state not written yet (null: none), guarded by {@code this}. */
    private Run latest;
    private boolean queued;
    /** Guarded by {@code writing}. */
    private long storedVersion;
    private boolean closed;

    RunRecorder(RunStore runs, Run started) {
        this.runs = runs;
        runs.put(started);
        this.storedVersion = started.version();
    }

    /** Stores {@code run} soon. */
    synchronized void offer(Run run) {
        latest = run;
        if (!queued) {
            queued = true;
            writer.execute(this::drain);
        }
    }

    private void drain() {
        Run next;
        synchronized (this) {
            next = latest;
            latest = null;
            queued = false;
        }
        if (next == null) return;
        try {
            write(next);
        } catch (RuntimeException e) {
            // the final write reports a store that fails; an intermediate state is best effort
        }
    }

    private Run write(Run run) {
        synchronized (writing) {
            if (closed) return run;
            var versioned = run.withVersion(storedVersion + 1);
            runs.put(versioned);
            storedVersion = versioned.version();
            return versioned;
        }
    }

    /** Writes {@code run} now, after any write in progress, as the last one: returns it as stored. */
    Run flush(Run run) {
        synchronized (this) {
            latest = null;
        }
        synchronized (writing) {
            var stored = write(run);
            closed = true;
            writer.shutdown();
            return stored;
        }
    }
}
