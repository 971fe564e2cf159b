package dev.cairn.aws.store;

import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.store.contract.LockStoreContract;

class DynamoLockStoreContractIT extends LockStoreContract {
    @Override
    protected LockStore newStore() {
        try {
            return new DynamoLockStore(MotoStores.get().dynamo(), MotoStores.get().table());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
