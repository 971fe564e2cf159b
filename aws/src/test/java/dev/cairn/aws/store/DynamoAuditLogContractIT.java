package dev.cairn.aws.store;

import dev.cairn.reconciler.store.AuditLog;
import dev.cairn.reconciler.store.contract.AuditLogContract;

class DynamoAuditLogContractIT extends AuditLogContract {
    @Override
    protected AuditLog newLog() {
        try {
            return new DynamoAuditLog(MotoStores.get().dynamo(), MotoStores.get().table());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
