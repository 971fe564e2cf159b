package dev.cairn.aws.store;

import dev.cairn.reconciler.store.RevisionStore;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.util.Map;
import java.util.Optional;

import static dev.cairn.aws.store.Attributes.s;

/**
 * The desired revision of an infrastructure as the item {@code INFRA#<infra> / REVISION}
 * ({@code commit}, {@code ref}, {@code trigger}, {@code recordedAt}); the latest put wins.
 */
public final class DynamoRevisionStore implements RevisionStore {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoRevisionStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void putDesired(DesiredRevision revision) {
        var item = new java.util.HashMap<>(Attributes.key(TableSchema.infraKey(revision.infrastructure()), TableSchema.REVISION));
        item.put(TableSchema.KIND, s("revision"));
        item.put("infrastructure", s(revision.infrastructure()));
        item.put("commit", s(revision.commit()));
        if (revision.ref() != null) item.put("ref", s(revision.ref()));
        if (revision.trigger() != null) item.put("trigger", s(revision.trigger()));
        item.put("recordedAt", s(revision.recordedAt().toString()));
        dynamo.putItem(b -> b.tableName(table).item(item));
    }

    @Override
    public Optional<DesiredRevision> desired(String infrastructure) {
        var item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Attributes.key(TableSchema.infraKey(infrastructure), TableSchema.REVISION))).item();
        if (item == null || item.isEmpty()) return Optional.empty();
        return Optional.of(new DesiredRevision(infrastructure, Attributes.string(item, "commit"), Attributes.string(item, "ref"),
                Attributes.string(item, "trigger"), Attributes.instant(item, "recordedAt")));
    }
}
