package dev.cairn.aws.store;

import dev.cairn.reconciler.store.ThreadStore;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static dev.cairn.aws.store.Attributes.n;
import static dev.cairn.aws.store.Attributes.s;

/**
 * Run threads as items {@code INFRA#<infra> / THREAD#<runId>} ({@code channel}, {@code ts},
 * {@code version}, {@code updatedAt} in epoch milliseconds, TTL {@code expiresAt}). Create is a
 * put on {@code attribute_not_exists(pk)}; a claim is one conditional update,
 * {@code version < :v AND updatedAt <= :now - interval}, so of concurrent claims one wins.
 */
public final class DynamoThreadStore implements ThreadStore {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoThreadStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    private static Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> key(String infrastructure, String runId) {
        return Attributes.key(TableSchema.infraKey(infrastructure), TableSchema.threadKey(runId));
    }

    @Override
    public boolean create(RunThread thread) {
        var item = new HashMap<>(key(thread.infrastructure(), thread.runId()));
        item.put(TableSchema.KIND, s("thread"));
        item.put("infrastructure", s(thread.infrastructure()));
        item.put("runId", s(thread.runId()));
        item.put("channel", s(thread.channel()));
        item.put("ts", s(thread.ts()));
        item.put("version", n(thread.version()));
        item.put("updatedAt", n(thread.updatedAt().toEpochMilli()));
        item.put(TableSchema.EXPIRES_AT, n(thread.expiresAt().getEpochSecond()));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException exists) {
            return false;
        }
    }

    @Override
    public Optional<RunThread> get(String infrastructure, String runId) {
        var item = dynamo.getItem(b -> b.tableName(table).consistentRead(true).key(key(infrastructure, runId))).item();
        if (item == null || item.isEmpty()) return Optional.empty();
        return Optional.of(new RunThread(infrastructure, runId, Attributes.string(item, "channel"), Attributes.string(item, "ts"),
                Attributes.number(item, "version"), Instant.ofEpochMilli(Attributes.number(item, "updatedAt")),
                Instant.ofEpochSecond(Attributes.number(item, TableSchema.EXPIRES_AT))));
    }

    @Override
    public boolean claimUpdate(String infrastructure, String runId, long version, Instant now, Duration minInterval) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(infrastructure, runId))
                    .updateExpression("SET version = :v, updatedAt = :now")
                    .conditionExpression("attribute_exists(pk) AND version < :v AND updatedAt <= :cutoff")
                    .expressionAttributeValues(Map.of(":v", n(version), ":now", n(now.toEpochMilli()),
                            ":cutoff", n(now.minus(minInterval).toEpochMilli()))));
            return true;
        } catch (ConditionalCheckFailedException notNow) {
            return false;
        }
    }
}
