package dev.cairn.aws.store;

import dev.cairn.reconciler.store.LockStore;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static dev.cairn.aws.store.Attributes.n;
import static dev.cairn.aws.store.Attributes.s;

/**
 * The lock of an infrastructure as the item {@code INFRA#<infra> / LOCK}: {@code runId},
 * {@code holder}, {@code pid}, {@code since}, {@code leaseUntil} (epoch milliseconds; absent: no
 * lease) and {@code executionArn}. Acquire is one conditional put,
 * {@code attribute_not_exists(pk) OR leaseUntil < :now}; renew and release are conditional on
 * {@code runId}.
 */
public final class DynamoLockStore implements LockStore {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoLockStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void acquire(String infrastructure, LockOwner owner) {
        var item = new HashMap<>(key(infrastructure));
        item.put(TableSchema.KIND, s("lock"));
        item.put("runId", s(owner.runId()));
        item.put("holder", s(owner.holder()));
        item.put("pid", n(owner.pid()));
        item.put("since", s(owner.since().toString()));
        if (owner.leaseUntil() != null) item.put("leaseUntil", n(owner.leaseUntil().toEpochMilli()));
        if (owner.executionArn() != null) item.put("executionArn", s(owner.executionArn()));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk) OR leaseUntil < :now")
                    .expressionAttributeValues(Map.of(":now", n(Instant.now().toEpochMilli())))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        } catch (ConditionalCheckFailedException e) {
            var current = e.hasItem() && !e.item().isEmpty() ? Optional.of(parse(e.item())) : owner(infrastructure);
            // released between the refused write and the read: whoever holds it, this acquire lost the race
            throw new LockedException(infrastructure, current.orElse(owner));
        }
    }

    @Override
    public boolean renew(String infrastructure, String runId, Instant leaseUntil) {
        try {
            if (leaseUntil == null) {
                dynamo.updateItem(b -> b.tableName(table).key(key(infrastructure)).updateExpression("REMOVE leaseUntil")
                        .conditionExpression("runId = :runId").expressionAttributeValues(Map.of(":runId", s(runId))));
            } else {
                dynamo.updateItem(b -> b.tableName(table).key(key(infrastructure)).updateExpression("SET leaseUntil = :until")
                        .conditionExpression("runId = :runId")
                        .expressionAttributeValues(Map.of(":runId", s(runId), ":until", n(leaseUntil.toEpochMilli()))));
            }
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public void release(String infrastructure, String runId) {
        try {
            dynamo.deleteItem(b -> b.tableName(table).key(key(infrastructure))
                    .conditionExpression("runId = :runId").expressionAttributeValues(Map.of(":runId", s(runId))));
        } catch (ConditionalCheckFailedException notOurs) {
            // taken over, force-released or never held: nothing of ours to release
        }
    }

    @Override
    public Optional<LockOwner> owner(String infrastructure) {
        var item = dynamo.getItem(b -> b.tableName(table).consistentRead(true).key(key(infrastructure))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(parse(item));
    }

    @Override
    public void forceRelease(String infrastructure) {
        dynamo.deleteItem(b -> b.tableName(table).key(key(infrastructure)));
    }

    private static Map<String, AttributeValue> key(String infrastructure) {
        return Attributes.key(TableSchema.infraKey(infrastructure), TableSchema.LOCK);
    }

    private static LockOwner parse(Map<String, AttributeValue> item) {
        var lease = item.get("leaseUntil");
        return new LockOwner(Attributes.string(item, "runId"), Attributes.string(item, "holder"), Attributes.number(item, "pid"),
                Attributes.instant(item, "since"), lease == null ? null : Instant.ofEpochMilli(Long.parseLong(lease.n())),
                Attributes.string(item, "executionArn"));
    }
}
