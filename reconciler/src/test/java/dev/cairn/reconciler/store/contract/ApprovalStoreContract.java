package dev.cairn.reconciler.store.contract;

import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.approval.ApprovalStore.Approval;
import dev.cairn.reconciler.approval.ApprovalStore.State;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link ApprovalStore} guarantees: a request is stored once (a retried Approve step
 * changes nothing), with its plan and task token; a pending approval is decided exactly once
 * (also among concurrent deciders) and never after it expired; pending lists only what waits.
 */
public abstract class ApprovalStoreContract {

    /** A store on the same backing state as every other store made during one test. */
    protected abstract ApprovalStore newStore();

    private ApprovalStore store;
    private String infra;
    private Instant now;

    @BeforeEach
    void setUpStore() {
        store = newStore();
        infra = Contracts.unique("prod");
        now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private Approval pending(String runId, String stage, Instant requestedAt, Instant expiresAt) {
        var plan = new PlanSummary(1, 1, 0, List.of(new PlanSummary.ResourceChange("aws_vpc.main", PlanSummary.Action.CREATE),
                new PlanSummary.ResourceChange("aws_subnet.a", PlanSummary.Action.UPDATE)), List.of("vpc_id"));
        return new Approval(infra, runId, stage, State.PENDING, plan, "ab".repeat(32), "slack:U0REQUESTER",
                "token-" + runId + "-" + stage, requestedAt, expiresAt, null, null, null);
    }

    @Test
    void aRequestIsStoredWithItsPlanAndToken() {
        var approval = pending("20261201T120000Z-a1", "network", now, now.plus(Duration.ofHours(1)));
        store.request(approval);
        assertThat(newStore().get(infra, approval.runId(), "network")).contains(approval);
        assertThat(store.get(infra, approval.runId(), "domain")).isEmpty();
        assertThat(store.get(Contracts.unique("other"), approval.runId(), "network")).isEmpty();
    }

    @Test
    void aRetriedRequestChangesNothing() {
        var approval = pending("20261201T120000Z-a2", "network", now, now.plus(Duration.ofHours(1)));
        store.request(approval);
        store.decide(infra, approval.runId(), "network", State.APPROVED, "slack:U0APPROVER", null, now.plusSeconds(1));
        store.request(approval);
        assertThat(store.get(infra, approval.runId(), "network")).get().extracting(Approval::state).isEqualTo(State.APPROVED);
    }

    @Test
    void aPendingApprovalIsDecidedOnce() {
        var approval = pending("20261201T120000Z-a3", "network", now, now.plus(Duration.ofHours(1)));
        store.request(approval);
        var decided = store.decide(infra, approval.runId(), "network", State.REJECTED, "slack:U0APPROVER", "not today", now.plusSeconds(2));
        assertThat(decided).get().satisfies(d -> {
            assertThat(d.state()).isEqualTo(State.REJECTED);
            assertThat(d.decidedBy()).isEqualTo("slack:U0APPROVER");
            assertThat(d.reason()).isEqualTo("not today");
            assertThat(d.decidedAt()).isEqualTo(now.plusSeconds(2));
            assertThat(d.taskToken()).isEqualTo(approval.taskToken());
        });
        assertThat(newStore().get(infra, approval.runId(), "network")).isEqualTo(decided);
        assertThat(store.decide(infra, approval.runId(), "network", State.APPROVED, "slack:U0OTHER", null, now.plusSeconds(3))).isEmpty();
        assertThat(store.get(infra, approval.runId(), "network")).get().extracting(Approval::state).isEqualTo(State.REJECTED);
    }

    @Test
    void anUnknownOrExpiredApprovalIsNotDecided() {
        assertThat(store.decide(infra, "20261201T120000Z-none", "network", State.APPROVED, "slack:U0APPROVER", null, now)).isEmpty();
        var approval = pending("20261201T120000Z-a4", "network", now.minusSeconds(120), now.minusSeconds(60));
        store.request(approval);
        assertThat(store.decide(infra, approval.runId(), "network", State.APPROVED, "slack:U0APPROVER", null, now)).isEmpty();
        assertThat(store.get(infra, approval.runId(), "network")).get().extracting(Approval::state).isEqualTo(State.PENDING);
    }

    @Test
    void pendingListsOnlyWaitingApprovalsOldestFirst() {
        var later = pending("20261201T120500Z-b", "addons", now.plusSeconds(10), now.plus(Duration.ofHours(1)));
        var earlier = pending("20261201T120000Z-b", "network", now, now.plus(Duration.ofHours(1)));
        var decided = pending("20261201T120000Z-c", "domain", now.plusSeconds(5), now.plus(Duration.ofHours(1)));
        store.request(later);
        store.request(earlier);
        store.request(decided);
        store.decide(infra, decided.runId(), "domain", State.APPROVED, "slack:U0APPROVER", null, now.plusSeconds(20));
        assertThat(newStore().pending(infra)).extracting(Approval::id).containsExactly(earlier.id(), later.id());
        assertThat(store.pending(Contracts.unique("empty"))).isEmpty();
    }

    @Test
    void ofConcurrentDecisionsExactlyOneWins() throws Exception {
        int threads = 6;
        try (var pool = Executors.newFixedThreadPool(threads)) {
            for (int trial = 0; trial < 5; trial++) {
                var approval = pending("20261201T130000Z-r" + trial, "network", now, now.plus(Duration.ofHours(1)));
                store.request(approval);
                var tasks = new ArrayList<Callable<Optional<Approval>>>();
                for (int t = 0; t < threads; t++) {
                    var mine = newStore();
                    var who = "slack:U0APPROVER" + t;
                    tasks.add(() -> mine.decide(infra, approval.runId(), "network", State.APPROVED, who, null, now.plusSeconds(1)));
                }
                var outcomes = Contracts.race(pool, tasks);
                assertThat(outcomes).allSatisfy(o -> assertThat(o.error()).isNull());
                var winners = outcomes.stream().filter(o -> o.value().isPresent()).map(o -> o.value().get().decidedBy()).toList();
                assertThat(winners).as("winners of trial %d", trial).hasSize(1);
                assertThat(store.get(infra, approval.runId(), "network")).get().extracting(Approval::decidedBy).isEqualTo(winners.get(0));
            }
        }
    }
}
