package dev.cairn.reconciler.graph;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StageGraphTest {

    /** top → left, right → bottom: left and right depend on top, bottom on both. */
    private static StageGraph diamond() {
        var g = new StageGraph();
        g.addStage("top");
        g.addStage("left");
        g.addStage("right");
        g.addStage("bottom");
        g.addDependency("left", "top");
        g.addDependency("right", "top");
        g.addDependency("bottom", "left");
        g.addDependency("bottom", "right");
        return g;
    }

    @Test
    void diamondRunsInThreeWavesWithTheTwoMiddleStagesTogether() {
        assertThat(diamond().waves()).containsExactly(List.of("top"), List.of("left", "right"), List.of("bottom"));
    }

    @Test
    void waveIsDecidedByTheLongestPathNotTheShortest() {
        var g = diamond();
        g.addDependency("bottom", "top"); // a shortcut edge must not pull bottom forward

        assertThat(g.waves()).containsExactly(List.of("top"), List.of("left", "right"), List.of("bottom"));
    }

    @Test
    void independentStagesShareTheFirstWaveInInsertionOrder() {
        var g = new StageGraph();
        g.addStage("b");
        g.addStage("a");
        g.addStage("c");

        assertThat(g.waves()).containsExactly(List.of("b", "a", "c"));
    }

    @Test
    void dependencyOnAStageOutsideTheGraphIsIgnoredForWaves() {
        var g = new StageGraph();
        g.addStage("a");
        g.addDependency("a", "ghost");

        assertThat(g.waves()).containsExactly(List.of("a"));
        assertThat(g.findCycle()).isEmpty();
    }

    @Test
    void addDependencyAddsTheDependentStage() {
        var g = new StageGraph();
        g.addDependency("b", "a");

        assertThat(g.stages()).containsExactly("b");
        assertThat(g.dependenciesOf("b")).containsExactly("a");
    }

    @Test
    void directDependentsAndDependencies() {
        var g = diamond();

        assertThat(g.dependentsOf("top")).containsExactlyInAnyOrder("left", "right");
        assertThat(g.dependenciesOf("bottom")).containsExactlyInAnyOrder("left", "right");
        assertThat(g.dependenciesOf("unknown")).isEmpty();
    }

    @Test
    void transitiveDependentsIncludeEveryStageDownstream() {
        var g = diamond();
        g.addStage("other");

        assertThat(g.transitiveDependents("top")).containsExactlyInAnyOrder("left", "right", "bottom");
        assertThat(g.transitiveDependents("left")).containsExactly("bottom");
        assertThat(g.transitiveDependents("bottom")).isEmpty();
        assertThat(g.transitiveDependents("other")).isEmpty();
    }

    @Test
    void findCycleIsEmptyForAnAcyclicGraph() {
        assertThat(diamond().findCycle()).isEmpty();
    }

    @Test
    void findCycleReturnsThePathThatClosesTheCycle() {
        var g = new StageGraph();
        g.addStage("start");
        g.addDependency("start", "a");
        g.addDependency("a", "b");
        g.addDependency("b", "c");
        g.addDependency("c", "a");

        assertThat(g.findCycle()).contains(List.of("a", "b", "c", "a"));
    }

    @Test
    void findCycleReportsASelfLoop() {
        var g = new StageGraph();
        g.addDependency("a", "a");

        assertThat(g.findCycle()).contains(List.of("a", "a"));
    }

    @Test
    void wavesRefuseAGraphWithACycle() {
        var g = new StageGraph();
        g.addDependency("a", "b");
        g.addDependency("b", "a");

        assertThatThrownBy(g::waves).isInstanceOf(IllegalStateException.class).hasMessageContaining("cycle");
    }

    @Test
    void topologicalOrderPutsEveryStageAfterItsDependencies() {
        var g = new StageGraph();
        // added in reverse so insertion order alone would be wrong
        g.addDependency("addons", "kubernetes");
        g.addDependency("addons", "domain");
        g.addDependency("kubernetes", "network");
        g.addDependency("kubernetes", "backend");
        g.addDependency("network", "backend");
        g.addDependency("domain", "backend");
        g.addStage("backend");

        var order = g.topologicalOrder();

        assertThat(order).containsExactlyInAnyOrder("addons", "kubernetes", "domain", "network", "backend");
        for (var stage : order) {
            for (var dep : g.dependenciesOf(stage)) {
                assertThat(order.indexOf(dep)).as("%s runs before %s", dep, stage).isLessThan(order.indexOf(stage));
            }
        }
    }

    @Test
    void mermaidHasEveryStageAndEveryEdge() {
        var mermaid = diamond().toMermaid();

        assertThat(mermaid).startsWith("flowchart LR\n");
        assertThat(mermaid).contains("  top\n", "  left\n", "  right\n", "  bottom\n");
        assertThat(mermaid).contains("  top --> left\n", "  top --> right\n", "  left --> bottom\n", "  right --> bottom\n");
        assertThat(mermaid.lines().filter(l -> l.contains("-->"))).hasSize(4);
    }

    @Test
    void dotHasEveryEdgeAndOneRankPerWave() {
        var dot = diamond().toDot("dev");

        assertThat(dot).startsWith("digraph \"dev\" {").endsWith("}\n");
        assertThat(dot).contains("\"top\" -> \"left\";", "\"top\" -> \"right\";",
                "\"left\" -> \"bottom\";", "\"right\" -> \"bottom\";");
        assertThat(dot.lines().filter(l -> l.contains("->"))).hasSize(4);
        assertThat(dot).contains("{ rank=same; \"top\"; }", "{ rank=same; \"left\"; \"right\"; }", "{ rank=same; \"bottom\"; }");
    }
}
