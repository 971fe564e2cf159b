package dev.cairn.reconciler.store.contract;

import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.store.RunStore;
import dev.cairn.reconciler.store.RunStore.ConflictException;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link RunStore} guarantees: version-conditional writes (new = version 0 and absent,
 * update = exactly the stored version + 1), newest-first listing with a limit.
 */
public abstract class RunStoreContract {

    /** A store on the same backing state as every other store made during one test. */
    protected abstract RunStore newStore();

    private RunStore store;
    private String infra;

    @BeforeEach
    void setUpStore() {
        store = newStore();
        infra = Contracts.unique("infra");
    }

    static Run run(String infrastructure, String id) {
        var stages = new LinkedHashMap<String, StageResult>();
        stages.put("network", new StageResult("network", StageStatus.APPLIED,
                new PlanSummary(1, 0, 0, List.of(new PlanSummary.ResourceChange("terraform_data.vpc", PlanSummary.Action.CREATE)), List.of()),
                null, Instant.parse("2026-12-01T10:00:01.123456Z"), Instant.parse("2026-12-01T10:00:09Z"), "logs/x/network.log"));
        stages.put("kubernetes", StageResult.pending("kubernetes"));
        return new Run(id, infrastructure, RunAction.APPLY, RunStatus.RUNNING, "github:push 42", "0123abc",
                Instant.parse("2026-12-01T10:00:00.5Z"), null, List.of(List.of("network"), List.of("kubernetes")), stages, null, 0);
    }

    @Test
    void aNewRunRoundTrips() {
        var run = run(infra, "20261201T100000Z-aaaaaa");
        store.put(run);
        assertThat(store.get(infra, run.id())).contains(run);
        assertThat(store.get(infra, "20261201T100000Z-ffffff")).isEmpty();
        assertThat(store.get(Contracts.unique("other"), run.id())).isEmpty();
    }

    @Test
    void aPreviewStageMarkedInexactRoundTripsWithItsUpstreams() {
        var base = run(infra, "20261201T100000Z-pbbbbbb");
        var stages = new LinkedHashMap<>(base.stages());
        stages.put("kubernetes", stages.get("kubernetes").with(StageStatus.PLANNING).withInexact(List.of("domain", "network"))
                .withPlan(PlanSummary.EMPTY).with(StageStatus.PLANNED));
        var run = new Run(base.id(), infra, RunAction.PLAN, RunStatus.RUNNING, "github:preview acme/infra#7 base 0123abc", base.revision(),
                base.startedAt(), null, base.waves(), stages, null, 0);
        store.put(run);
        var stored = store.get(infra, run.id()).orElseThrow();
        assertThat(stored).isEqualTo(run);
        assertThat(stored.stage("kubernetes").inexactBecause()).containsExactly("domain", "network");
        assertThat(stored.stage("network").inexactBecause()).isNull();
    }

    @Test
    void theExecutionOfARunRoundTripsAndEveryChangeKeepsIt() {
        var arn = "arn:aws:states:eu-west-1:123456789012:execution:cairn-reconcile:dev-apply-0123abc";
        var v0 = run(infra, "20261201T100000Z-cccccc").withExecutionArn(arn);
        store.put(v0);
        assertThat(store.get(infra, v0.id())).contains(v0);
        var v1 = v0.withStage(StageResult.pending("kubernetes").with(StageStatus.APPLYING));
        store.put(v1);
        store.put(v1.finish(RunStatus.SUCCEEDED, null));
        var stored = store.get(infra, v0.id()).orElseThrow();
        assertThat(stored.version()).isEqualTo(2);
        assertThat(stored.executionArn()).isEqualTo(arn);
        // a run of the local driver has none
        var local = run(infra, "20261201T100000Z-dddddd");
        store.put(local);
        assertThat(store.get(infra, local.id()).orElseThrow().executionArn()).isNull();
    }

    @Test
    void aNewRunStoredTwiceIsRefused() {
        var run = run(infra, "20261201T100000Z-aaaaaa");
        store.put(run);
        assertThatThrownBy(() -> store.put(run)).isInstanceOf(ConflictException.class).hasMessageContaining(run.id());
    }

    @Test
    void theNextVersionIsAcceptedAndAStaleWriteRefused() {
        var v0 = run(infra, "20261201T100000Z-aaaaaa");
        store.put(v0);
        var v1 = v0.withStage(StageResult.pending("kubernetes").with(StageStatus.APPLYING));
        store.put(v1);
        var staleV1 = v0.finish(RunStatus.FAILED, "someone else");
        assertThatThrownBy(() -> store.put(staleV1)).isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> store.put(v0)).isInstanceOf(ConflictException.class);
        var v2 = v1.finish(RunStatus.SUCCEEDED, null);
        store.put(v2);
        assertThat(store.get(infra, v0.id())).contains(v2);
    }

    @Test
    void aVersionThatSkipsOneIsRefused() {
        var v0 = run(infra, "20261201T100000Z-aaaaaa");
        store.put(v0);
        var v2 = v0.finish(RunStatus.RUNNING, null).finish(RunStatus.SUCCEEDED, null);
        assertThatThrownBy(() -> store.put(v2)).isInstanceOf(ConflictException.class);
        assertThat(store.get(infra, v0.id())).contains(v0);
    }

    @Test
    void anUpdateOfARunNeverStoredIsRefused() {
        var v1 = run(infra, "20261201T100000Z-aaaaaa").finish(RunStatus.SUCCEEDED, null);
        assertThatThrownBy(() -> store.put(v1)).isInstanceOf(ConflictException.class);
        assertThat(store.get(infra, v1.id())).isEmpty();
    }

    @Test
    void listingIsNewestFirstWithALimitAndPerInfrastructure() {
        var ids = new ArrayList<>(List.of("20261130T235959Z-0a0a0a", "20261201T090000Z-000001", "20261201T090000Z-ffffff",
                "20261201T100000Z-abcdef", "20261202T000000Z-123456"));
        var shuffled = new ArrayList<>(ids);
        Collections.shuffle(shuffled);
        shuffled.forEach(id -> store.put(run(infra, id)));
        var other = Contracts.unique("other");
        store.put(run(other, "20291231T000000Z-999999"));

        assertThat(store.list(infra, 3)).extracting(Run::id)
                .containsExactly("20261202T000000Z-123456", "20261201T100000Z-abcdef", "20261201T090000Z-ffffff");
        assertThat(store.list(infra, 10)).extracting(Run::id).containsExactlyElementsOf(ids.reversed());
        assertThat(store.list(other, 10)).extracting(Run::id).containsExactly("20291231T000000Z-999999");
        assertThat(store.list(Contracts.unique("nothing"), 10)).isEmpty();
    }

    @Test
    void ofConcurrentWritersOfTheSameVersionExactlyOneWins() throws Exception {
        var v0 = run(infra, "20261201T100000Z-aaaaaa");
        store.put(v0);
        int writers = 8;
        var tasks = new ArrayList<Callable<Run>>();
        for (int i = 0; i < writers; i++) {
            var mine = v0.finish(RunStatus.FAILED, "writer " + i);
            var writer = newStore();
            tasks.add(() -> {
                writer.put(mine);
                return mine;
            });
        }
        try (var pool = Executors.newFixedThreadPool(writers)) {
            var outcomes = Contracts.race(pool, tasks);
            var winners = outcomes.stream().filter(o -> o.error() == null).toList();
            assertThat(winners).hasSize(1);
            assertThat(outcomes.stream().filter(o -> o.error() != null))
                    .allSatisfy(o -> assertThat(o.error()).isInstanceOf(ConflictException.class));
            assertThat(store.get(infra, v0.id())).contains(winners.getFirst().value());
        }
    }
}
