package dev.cairn.reconciler.run;

import dev.cairn.reconciler.graph.StageGraph;
import dev.cairn.reconciler.run.Scheduler.Outcome;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SchedulerTest {

    /** backend → network, domain → kubernetes (needs both), app_db (needs network) → addons (needs kubernetes). */
    static StageGraph quickstart() {
        var g = new StageGraph();
        for (var s : List.of("backend", "network", "domain", "kubernetes", "app_db", "addons")) g.addStage(s);
        g.addDependency("network", "backend");
        g.addDependency("domain", "backend");
        g.addDependency("kubernetes", "network");
        g.addDependency("kubernetes", "domain");
        g.addDependency("app_db", "network");
        g.addDependency("addons", "kubernetes");
        return g;
    }

    static StageGraph chain(String... stages) {
        var g = new StageGraph();
        for (var s : stages) g.addStage(s);
        for (int i = 1; i < stages.length; i++) g.addDependency(stages[i], stages[i - 1]);
        return g;
    }

    /** Drives the scheduler wave by wave, finishing every started stage with its scripted outcome. */
    static Map<String, Outcome> drive(StageGraph graph, boolean reverse, Set<String> failing, List<List<String>> waves, Map<String, String> causes) {
        var outcomes = new LinkedHashMap<String, Outcome>();
        // every round finishes or skips at least one stage: more rounds than stages means it is stuck
        for (int round = 0; ; round++) {
            assertThat(round).as("scheduler rounds for %d stages", graph.stages().size()).isLessThanOrEqualTo(graph.stages().size() + 1);
            var next = Scheduler.next(graph, reverse, Set.of(), outcomes, 0);
            next.skipped().forEach((stage, cause) -> {
                outcomes.put(stage, Outcome.SKIPPED);
                causes.put(stage, cause);
            });
            if (next.done()) break;
            if (next.start().isEmpty()) continue;
            waves.add(next.start());
            for (var stage : next.start()) outcomes.put(stage, failing.contains(stage) ? Outcome.FAILED : Outcome.SUCCEEDED);
        }
        return outcomes;
    }

    @Test
    void aDiamondStartsInWavesAndEndsDone() {
        var waves = new ArrayList<List<String>>();
        var outcomes = drive(quickstart(), false, Set.of(), waves, new HashMap<>());
        assertThat(waves).containsExactly(List.of("backend"), List.of("network", "domain"), List.of("kubernetes", "app_db"), List.of("addons"));
        assertThat(outcomes.values()).containsOnly(Outcome.SUCCEEDED);
        assertThat(outcomes).hasSize(6);
    }

    @Test
    void destroyWalksTheGraphBackwards() {
        var waves = new ArrayList<List<String>>();
        drive(quickstart(), true, Set.of(), waves, new HashMap<>());
        assertThat(waves).containsExactly(List.of("app_db", "addons"), List.of("kubernetes"), List.of("network", "domain"), List.of("backend"));
    }

    @Test
    void aFailureSkipsEveryTransitiveDependentAndNothingElse() {
        var causes = new HashMap<String, String>();
        var outcomes = drive(chain("a", "b", "c", "d"), false, Set.of("b"), new ArrayList<>(), causes);
        assertThat(outcomes).containsEntry("a", Outcome.SUCCEEDED).containsEntry("b", Outcome.FAILED)
                .containsEntry("c", Outcome.SKIPPED).containsEntry("d", Outcome.SKIPPED);
        assertThat(causes).containsEntry("c", "b").containsEntry("d", "b");
    }

    @Test
    void aFailureInEveryPositionOfTheDiamondSkipsExactlyItsDependents() {
        var graph = quickstart();
        for (var failing : graph.stages()) {
            var outcomes = drive(graph, false, Set.of(failing), new ArrayList<>(), new HashMap<>());
            var dependents = graph.transitiveDependents(failing);
            for (var stage : graph.stages()) {
                var expected = stage.equals(failing) ? Outcome.FAILED : dependents.contains(stage) ? Outcome.SKIPPED : Outcome.SUCCEEDED;
                assertThat(outcomes.get(stage)).as("%s when %s fails", stage, failing).isEqualTo(expected);
            }
        }
    }

    @Test
    void aFailedDestroySkipsWhatItStillNeeds() {
        var causes = new HashMap<String, String>();
        var outcomes = drive(quickstart(), true, Set.of("kubernetes"), new ArrayList<>(), causes);
        assertThat(outcomes).containsEntry("addons", Outcome.SUCCEEDED).containsEntry("app_db", Outcome.SUCCEEDED)
                .containsEntry("kubernetes", Outcome.FAILED).containsEntry("network", Outcome.SKIPPED)
                .containsEntry("domain", Outcome.SKIPPED).containsEntry("backend", Outcome.SKIPPED);
        assertThat(causes.get("backend")).isEqualTo("kubernetes");
    }

    @Test
    void theLimitCountsRunningStages() {
        var graph = new StageGraph();
        for (var s : List.of("a", "b", "c", "d")) graph.addStage(s);
        var first = Scheduler.next(graph, false, Set.of(), Map.of(), 3);
        assertThat(first.start()).containsExactly("a", "b", "c");
        var second = Scheduler.next(graph, false, new HashSet<>(List.of("b", "c")), Map.of("a", Outcome.SUCCEEDED), 3);
        assertThat(second.start()).containsExactly("d");
        assertThat(second.done()).isFalse();
    }

    @Test
    void notDoneWhileAStageRunsEvenIfNothingCanStart() {
        var next = Scheduler.next(chain("a", "b"), false, Set.of("a"), Map.of(), 0);
        assertThat(next.start()).isEmpty();
        assertThat(next.done()).isFalse();
        var after = Scheduler.next(chain("a", "b"), false, Set.of(), Map.of("a", Outcome.SUCCEEDED, "b", Outcome.SUCCEEDED), 0);
        assertThat(after.done()).isTrue();
    }

    @Test
    void aRunningDependentOfAFailureIsNotSkipped() {
        // a stage already running when a failure is recorded (the state machine records outcomes as
        // branches end) finishes on its own and is not reported skipped
        var graph = chain("a", "b", "c");
        var next = Scheduler.next(graph, false, Set.of("c"), Map.of("a", Outcome.SUCCEEDED, "b", Outcome.FAILED), 0);
        assertThat(next.skipped()).isEmpty();
    }

    @Test
    void theExecutorGivesTheSameOutcomesAsTheScheduler() {
        var graph = quickstart();
        var executed = new DagExecutor(2).run(graph, false, stage -> !stage.equals("domain"), (s, c) -> {
        });
        assertThat(executed).isEqualTo(drive(graph, false, Set.of("domain"), new ArrayList<>(), new HashMap<>()));
    }
}
