package dev.cairn.aws.store;

import dev.cairn.reconciler.store.RunStore;
import dev.cairn.reconciler.store.contract.RunStoreContract;

class DynamoRunStoreContractIT extends RunStoreContract {
    @Override
    protected RunStore newStore() {
        try {
            return new DynamoRunStore(MotoStores.get().dynamo(), MotoStores.get().table());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
