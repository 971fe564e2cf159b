package dev.cairn.aws.store;

import dev.cairn.reconciler.store.RevisionStore;
import dev.cairn.reconciler.store.contract.RevisionStoreContract;

class DynamoRevisionStoreContractIT extends RevisionStoreContract {
    @Override
    protected RevisionStore newStore() {
        try {
            return new DynamoRevisionStore(MotoStores.get().dynamo(), MotoStores.get().table());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
