package dev.cairn.reconciler.run;

import java.util.List;
import java.util.Map;

/**
 * Where one stage's time went in a run, in milliseconds: each terraform command it ran (summed when
 * it ran more than once), how much of that was done ahead, before its upstream stages finished
 * (the speculative plan and early init), how long it then waited for them, and which stages it
 * waited for (its upstream stages in the run's order: dependents for a destroy).
 */
public record StageTimings(Map<String, Long> commands, long aheadMillis, long waitMillis, List<String> after) {
    public StageTimings {
        commands = commands == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(commands));
        after = after == null ? List.of() : List.copyOf(after);
    }

    /** Every terraform command's time. */
    public long totalMillis() {
        return commands.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The work that had to wait for the upstream stages. */
    public long afterMillis() {
        return Math.max(0, totalMillis() - aheadMillis);
    }
}
