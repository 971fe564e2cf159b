package dev.cairn.reconciler.run;

import dev.cairn.reconciler.graph.StageGraph;
import dev.cairn.reconciler.run.Scheduler.Outcome;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Transitive skipping in a chain of four, both directions, driven a bounded number of steps: a
 * scheduler that skips only direct dependents leaves the end of the chain neither started nor
 * skipped, and this test then fails (it does not spin).
 */
class QualitySchedulerTest {
    record Result(Map<String, Outcome> outcomes, Map<String, String> causes) {
    }

    static StageGraph abcd() {
        var g = new StageGraph();
        for (var s : new String[]{"a", "b", "c", "d"}) g.addStage(s);
        g.addDependency("b", "a");
        g.addDependency("c", "b");
        g.addDependency("d", "c");
        return g;
    }

    static Result drive(StageGraph graph, boolean reverse, String failing) {
        var outcomes = new LinkedHashMap<String, Outcome>();
        var causes = new LinkedHashMap<String, String>();
        for (int step = 0; step <= graph.stages().size() + 1; step++) {
            var next = Scheduler.next(graph, reverse, Set.of(), outcomes, 0);
            next.skipped().forEach((stage, cause) -> {
                outcomes.put(stage, Outcome.SKIPPED);
                causes.put(stage, cause);
            });
            if (next.done()) return new Result(outcomes, causes);
            next.start().forEach(s -> outcomes.put(s, s.equals(failing) ? Outcome.FAILED : Outcome.SUCCEEDED));
        }
        return fail("the run never ended: outcomes %s", outcomes);
    }

    @Test
    void aFailureSkipsTheWholeRestOfTheChainWithItsCause() {
        var result = drive(abcd(), false, "b");

        assertThat(result.outcomes()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "a", Outcome.SUCCEEDED, "b", Outcome.FAILED, "c", Outcome.SKIPPED, "d", Outcome.SKIPPED));
        assertThat(result.causes()).containsExactlyInAnyOrderEntriesOf(Map.of("c", "b", "d", "b"));
    }

    @Test
    void aFailedDestroySkipsEverythingUpstreamOfItWithItsCause() {
        // destroy runs d, c, b, a; c failing keeps b and a, which c still needs
        var result = drive(abcd(), true, "c");

        assertThat(result.outcomes()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "d", Outcome.SUCCEEDED, "c", Outcome.FAILED, "b", Outcome.SKIPPED, "a", Outcome.SKIPPED));
        assertThat(result.causes()).containsExactlyInAnyOrderEntriesOf(Map.of("b", "c", "a", "c"));
    }
}
