package dev.cairn.reconciler.run;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The critical path of a finished run, from its recorded times: the longest chain of dependent
 * stage work, the shortest wall time any schedule of the same terraform commands could reach with
 * unlimited parallelism. A stage's work done ahead (its speculative plan, its early init) overlaps
 * its upstream stages; the rest starts when the last of them is done:
 * {@code done(s) = max(ahead(s), max done(upstream)) + after(s)}.
 *
 * @param millis the length of the path
 * @param stages the chain, first stage first
 */
public record CriticalPath(long millis, List<String> stages) {

    public static CriticalPath of(Run run) {
        var done = new HashMap<String, Long>();
        var via = new HashMap<String, String>();
        String last = null;
        for (var stage : run.stages().keySet()) {
            long d = done(run, stage, done, via, new java.util.HashSet<>());
            if (last == null || d > done.get(last)) last = stage;
        }
        if (last == null) return new CriticalPath(0, List.of());
        var chain = new ArrayList<String>();
        for (var s = last; s != null; s = via.get(s)) chain.add(s);
        Collections.reverse(chain);
        return new CriticalPath(done.get(last), List.copyOf(chain));
    }

    private static long done(Run run, String stage, Map<String, Long> done, Map<String, String> via, java.util.Set<String> visiting) {
        var known = done.get(stage);
        if (known != null) return known;
        var result = run.stage(stage);
        var t = result == null ? null : result.timings();
        if (t == null || !visiting.add(stage)) {
            done.put(stage, 0L);
            return 0;
        }
        long upstream = 0;
        String from = null;
        for (var u : t.after()) {
            if (run.stage(u) == null) continue;
            long d = done(run, u, done, via, visiting);
            if (d > upstream) {
                upstream = d;
                from = u;
            }
        }
        long start = Math.max(t.aheadMillis(), upstream);
        if (from != null && upstream >= t.aheadMillis()) via.put(stage, from);
        long d = start + t.afterMillis();
        done.put(stage, d);
        return d;
    }
}
