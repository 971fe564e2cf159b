package dev.cairn.aws.store;

import dev.cairn.reconciler.store.DeliveryStore;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Instant;
import java.util.Map;

import static dev.cairn.aws.store.Attributes.n;
import static dev.cairn.aws.store.Attributes.s;

/**
 * Deliveries as items {@code DELIVERY#<source>#<deliveryId> / DELIVERY} with the TTL attribute
 * {@code expiresAt} (epoch seconds). First seen is one conditional put,
 * {@code attribute_not_exists(pk) OR expiresAt < :now}: DynamoDB deletes expired items only
 * eventually (within days), so an expired item still there counts as absent.
 */
public final class DynamoDeliveryStore implements DeliveryStore {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDeliveryStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public boolean firstSeen(String source, String deliveryId, Instant expiresAt) {
        var item = new java.util.HashMap<>(Attributes.key(TableSchema.deliveryKey(source, deliveryId), TableSchema.DELIVERY));
        item.put(TableSchema.KIND, s("delivery"));
        item.put("source", s(source));
        item.put("deliveryId", s(deliveryId));
        item.put("seenAt", s(Instant.now().toString()));
        item.put(TableSchema.EXPIRES_AT, n(expiresAt.getEpochSecond()));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk) OR expiresAt < :now")
                    .expressionAttributeValues(Map.of(":now", n(Instant.now().getEpochSecond()))));
            return true;
        } catch (ConditionalCheckFailedException seenBefore) {
            return false;
        }
    }

    @Override
    public void forget(String source, String deliveryId) {
        dynamo.deleteItem(b -> b.tableName(table).key(Attributes.key(TableSchema.deliveryKey(source, deliveryId), TableSchema.DELIVERY)));
    }
}
