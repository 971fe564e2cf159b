package dev.cairn.reconciler.run;

/**
 * At most {@code parallelism} stages of a run in terraform at once, with the DAG's own steps (a
 * stage whose upstream stages are done: on the critical path) served before speculative plans,
 * which only fill the slots nobody on the path waits for.
 */
final class TerraformSlots {
    private int free;
    private int urgentWaiting;

    TerraformSlots(int parallelism) {
        this.free = Math.max(1, parallelism);
    }

    /** Counts {@code n} DAG steps as waiting before they ask (the first wave), so that no speculative plan goes first. */
    synchronized void expect(int n) {
        urgentWaiting += n;
    }

    /** A DAG step's slot; {@code expected}: it was counted by {@link #expect}. */
    synchronized void acquireUrgent(boolean expected) throws InterruptedException {
        if (!expected) urgentWaiting++;
        try {
            while (free == 0) wait();
        } finally {
            urgentWaiting--;
            // speculative plans waiting behind this step may take the slots left
            notifyAll();
        }
        free--;
    }

    /** A speculative plan's slot: only while no DAG step waits. */
    synchronized void acquireSpeculative() throws InterruptedException {
        while (free == 0 || urgentWaiting > 0) wait();
        free--;
    }

    synchronized void release() {
        free++;
        notifyAll();
    }
}
