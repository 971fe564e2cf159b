package dev.cairn.reconciler.run;

import dev.cairn.reconciler.graph.StageGraph;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Held stages: what waits on them does not start, and they run again only when released once nothing runs. */
class DagExecutorTest {

    private static StageGraph graph() {
        var g = SchedulerTest.chain("a", "b", "c");
        g.addStage("x");
        return g;
    }

    @Test
    void aHeldStageRunsAgainWhenReleasedAndItsDependentsStartOnlyThen() {
        var calls = Collections.synchronizedList(new ArrayList<String>());
        var releases = new ArrayList<Set<String>>();
        var released = new java.util.HashSet<String>();
        var outcomes = new DagExecutor(2).run(graph(), false, stage -> {
            calls.add(stage);
            return stage.equals("b") && !released.contains("b") ? DagExecutor.Step.HELD : DagExecutor.Step.SUCCEEDED;
        }, (s, c) -> {
        }, held -> {
            releases.add(held);
            assertThat(calls).as("asked only once nothing runs").contains("a", "x").doesNotContain("c");
            released.addAll(held);
            return held;
        });

        assertThat(releases).containsExactly(Set.of("b"));
        assertThat(calls.stream().filter("b"::equals).count()).isEqualTo(2);
        assertThat(calls.indexOf("c")).isGreaterThan(calls.lastIndexOf("b"));
        assertThat(outcomes).containsOnlyKeys("a", "b", "c", "x").containsValues(Scheduler.Outcome.SUCCEEDED);
    }

    @Test
    void aStageLeftHeldEndsTheRunWithoutItOrWhatWaitsOnIt() {
        var skipped = new ArrayList<String>();
        Map<String, Scheduler.Outcome> outcomes = new DagExecutor(4).run(graph(), false,
                stage -> stage.equals("b") ? DagExecutor.Step.HELD : DagExecutor.Step.SUCCEEDED,
                (s, c) -> skipped.add(s), held -> Set.of());

        assertThat(outcomes).containsOnlyKeys("a", "x");
        assertThat(skipped).as("held is not failed: nothing is skipped").isEmpty();
        assertThat(List.copyOf(outcomes.values())).containsOnly(Scheduler.Outcome.SUCCEEDED);
    }
}
