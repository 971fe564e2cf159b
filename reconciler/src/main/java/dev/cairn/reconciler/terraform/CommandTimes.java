package dev.cairn.reconciler.terraform;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The time one stage spent in each Terraform command ({@code init}, {@code plan}, {@code show},
 * {@code apply}, {@code output}), summed over the run, in milliseconds; and how much of it was done
 * ahead, before the stage's upstream stages finished (its speculative plan and early init).
 * Thread-safe: a stage's early init and its own work may run on different threads.
 */
public final class CommandTimes {
    private final Map<String, Long> millis = new LinkedHashMap<>();
    private long total;
    private long ahead;
    private boolean waited;
    private Instant firstStartedAt;

    /** Adds one command's duration; before {@link #upstreamDone()} it also counts as work done ahead. */
    public synchronized void add(String command, long elapsedMillis) {
        millis.merge(command, elapsedMillis, Long::sum);
        total += elapsedMillis;
        if (!waited) ahead += elapsedMillis;
        var started = Instant.now().minusMillis(elapsedMillis);
        if (firstStartedAt == null || started.isBefore(firstStartedAt)) firstStartedAt = started;
    }

    /** When the earliest command counted here started; null before any. */
    public synchronized Instant firstStartedAt() {
        return firstStartedAt;
    }

    /** From now on the stage's work depends on its upstream stages' results. */
    public synchronized void upstreamDone() {
        waited = true;
    }

    public synchronized Map<String, Long> millis() {
        return Map.copyOf(millis);
    }

    /** In Terraform's order of a stage: init, plan, show, apply, output, then any other. */
    public synchronized Map<String, Long> ordered() {
        var out = new LinkedHashMap<String, Long>();
        for (var c : new String[]{"init", "plan", "show", "apply", "output"}) {
            if (millis.containsKey(c)) out.put(c, millis.get(c));
        }
        millis.forEach(out::putIfAbsent);
        return out;
    }

    public synchronized long totalMillis() {
        return total;
    }

    public synchronized long aheadMillis() {
        return ahead;
    }
}
