package dev.cairn.reconciler.approval.local;

import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.approval.ApprovalStore.Approval;
import dev.cairn.reconciler.approval.ApprovalStore.State;
import dev.cairn.reconciler.store.contract.ApprovalStoreContract;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalApprovalStoreContractTest extends ApprovalStoreContract {
    @TempDir
    Path dir;

    @Override
    protected ApprovalStore newStore() {
        return new LocalApprovalStore(dir.resolve("approvals"));
    }

    @Test
    void namesNeverLeaveTheStoreFolder() {
        var store = newStore();
        assertThatThrownBy(() -> store.get("../etc", "r", "s")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid name");
        assertThatThrownBy(() -> store.get("prod", "a/b", "s")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theLocalResumerRecordsTheDecisionForTheWaitingStep() throws Exception {
        var resumer = new LocalRunResumer(dir.resolve("answers"));
        var approval = new Approval("prod", "run-1", "network", State.APPROVED, PlanSummary.EMPTY, "00", "slack:U1",
                "tok-123", Instant.now(), null, "slack:U2", Instant.now(), null);
        assertThat(resumer.answer("tok-123")).isEmpty();
        resumer.approved(approval);
        assertThat(resumer.answer("tok-123")).get().satisfies(a -> {
            assertThat(a.outcome()).isEqualTo("approved");
            assertThat(a.decidedBy()).isEqualTo("slack:U2");
            assertThat(a.stage()).isEqualTo("network");
        });
        assertThat(Files.list(dir.resolve("answers")).map(p -> p.getFileName().toString())).contains("tok-123.json");
        assertThatThrownBy(() -> resumer.answer("../x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("../x");
    }
}
