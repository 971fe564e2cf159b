package dev.cairn.reconciler.run;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The critical path from recorded stage times: work done ahead overlaps the upstream stages, the rest follows them. */
class CriticalPathTest {

    private static StageResult stage(String name, long ahead, long total, String... after) {
        return StageResult.pending(name).withTimings(new StageTimings(Map.of("plan", ahead, "apply", total - ahead), ahead, 0, List.of(after)));
    }

    private static Run run(StageResult... stages) {
        var map = new LinkedHashMap<String, StageResult>();
        for (var s : stages) map.put(s.stage(), s);
        return new Run("r", "dev", RunAction.APPLY, RunStatus.SUCCEEDED, "test", null, Instant.EPOCH, Instant.EPOCH,
                List.of(), map, null, 1);
    }

    @Test
    void aChainAddsUpTheWorkThatWaitedForUpstream() {
        // a: 100 of work; b: 30 ahead (its speculative plan), 50 after a; c: 10 ahead, 20 after b
        var path = CriticalPath.of(run(stage("a", 0, 100), stage("b", 30, 80, "a"), stage("c", 10, 30, "b")));

        assertThat(path.millis()).isEqualTo(100 + 50 + 20);
        assertThat(path.stages()).containsExactly("a", "b", "c");
    }

    @Test
    void workAheadLongerThanTheUpstreamStartsThePathAtTheStageItself() {
        // b's speculative plan (300) outlasts a (100): b's chain starts with b
        var path = CriticalPath.of(run(stage("a", 0, 100), stage("b", 300, 350, "a")));

        assertThat(path.millis()).isEqualTo(350);
        assertThat(path.stages()).containsExactly("b");
    }

    @Test
    void theLongestOfTwoBranchesWins() {
        var path = CriticalPath.of(run(stage("root", 0, 10), stage("short", 0, 20, "root"), stage("long", 0, 90, "root"),
                stage("join", 0, 5, "short", "long")));

        assertThat(path.millis()).isEqualTo(10 + 90 + 5);
        assertThat(path.stages()).containsExactly("root", "long", "join");
    }

    @Test
    void stagesWithoutTimesCountAsNothing() {
        var path = CriticalPath.of(run(StageResult.pending("skipped"), stage("a", 0, 40)));

        assertThat(path.millis()).isEqualTo(40);
        assertThat(path.stages()).containsExactly("a");
    }
}
