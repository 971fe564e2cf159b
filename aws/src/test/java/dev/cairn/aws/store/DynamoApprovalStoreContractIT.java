package dev.cairn.aws.store;

import dev.cairn.aws.approval.DynamoApprovalStore;
import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.store.contract.ApprovalStoreContract;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DynamoApprovalStoreContractIT extends ApprovalStoreContract {
    @Override
    protected ApprovalStore newStore() {
        try {
            return new DynamoApprovalStore(MotoStores.get().dynamo(), MotoStores.get().table());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theItemIsKeyedByInfrastructureRunAndStageWithItsTtl() throws Exception {
        var stores = MotoStores.get();
        var expires = Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.MILLIS);
        newStore().request(new ApprovalStore.Approval("keys-prod", "run-7", "network", ApprovalStore.State.PENDING,
                PlanSummary.EMPTY, "00", "slack:U1", "tok", Instant.now(), expires, null, null, null));
        var item = stores.dynamo().getItem(b -> b.tableName(stores.table()).consistentRead(true)
                .key(Attributes.key("INFRA#keys-prod", "APPROVAL#run-7#network"))).item();
        assertThat(item.get("kind").s()).isEqualTo("approval");
        assertThat(Long.parseLong(item.get(TableSchema.EXPIRES_AT).n()))
                .isEqualTo(expires.plus(DynamoApprovalStore.RETENTION).getEpochSecond());
    }
}
