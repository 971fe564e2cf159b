package dev.cairn.reconciler.run;

import java.util.List;
import java.util.Map;

/**
 * Where one stage's time went in a run, in milliseconds: each terraform command it ran (summed when
 * it ran more than once), how much of that was done ahead, before its upstream stages finished
 * (the speculative plan and early init), how long it then waited for them, and which stages it
 * waited for (its upstream stages in the run's order: dependents for a destroy).
 *
 * <p>A deployed run (the state machine, one build per stage; {@code cairn serve} alike) does
 * nothing ahead: a stage's build starts only once its upstream stages are recorded done. There
 * {@code waitMillis} is the time from the stage becoming ready (the last of its upstream stages
 * recorded finished, or the run's start when it has none) to its build's first terraform command:
 * the rest of the Map's batch, the task steps (NextStages, Render), the build's queue and
 * provisioning, and the build's own start-up, which {@code startupMillis} gives apart (the
 * {@code cairn stage} processes from their start to their first terraform command, summed over the
 * stage's steps). Its apply step, in a build of its own after an approval, is counted in
 * {@code commands} and {@code startupMillis}; the approval is not waiting.
 * A stage recorded from the run's plan-ahead build (no build of its own) has that build's plan
 * times as {@code commands}, all of them ahead, and no wait.
 *
 * @param startupMillis a deployed run's build start-up as above; null in a local run (and in records
 *                      written before it existed)
 */
public record StageTimings(Map<String, Long> commands, long aheadMillis, long waitMillis, List<String> after, Long startupMillis) {
    public StageTimings {
        commands = commands == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(commands));
        after = after == null ? List.of() : List.copyOf(after);
    }

    /** A local run's timings. */
    public StageTimings(Map<String, Long> commands, long aheadMillis, long waitMillis, List<String> after) {
        this(commands, aheadMillis, waitMillis, after, null);
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
