package dev.cairn.aws.store;

import dev.cairn.reconciler.store.AuditLog;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.cairn.aws.store.Attributes.s;

/**
 * The audit log as items {@code INFRA#<infra> / AUDIT#<time>#<random>} ({@code at}, {@code actor},
 * {@code action}, {@code outcome}, {@code details} as a map of strings). The time is UTC with
 * nanoseconds at a fixed width, so that the sort key orders entries by time; the random part keeps
 * entries of the same instant apart. Appends are conditional puts ({@code attribute_not_exists})
 * and nothing updates or deletes an entry.
 */
public final class DynamoAuditLog implements AuditLog {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoAuditLog(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void append(Entry entry) {
        for (int attempt = 0; ; attempt++) {
            var random = new byte[4];
            RANDOM.nextBytes(random);
            var item = new HashMap<>(Attributes.key(TableSchema.infraKey(entry.infrastructure()),
                    TableSchema.auditKey(entry.at(), HexFormat.of().formatHex(random))));
            item.put(TableSchema.KIND, s("audit"));
            item.put("at", s(entry.at().toString()));
            item.put("actor", s(entry.actor()));
            item.put("action", s(entry.action()));
            item.put("outcome", s(entry.outcome()));
            var details = new HashMap<String, AttributeValue>();
            if (entry.details() != null) entry.details().forEach((k, v) -> details.put(k, s(v)));
            item.put("details", AttributeValue.fromM(details));
            try {
                dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
                return;
            } catch (ConditionalCheckFailedException sameKey) {
                // the same instant and the same 32 random bits: draw again, never overwrite
                if (attempt >= 3) throw new IllegalStateException("could not append an audit entry under a unique key", sameKey);
            }
        }
    }

    @Override
    public List<Entry> list(String infrastructure, int limit) {
        var entries = new ArrayList<Entry>();
        if (limit <= 0) return entries;
        Map<String, AttributeValue> start = null;
        do {
            var from = start;
            var page = dynamo.query(b -> b.tableName(table).consistentRead(true)
                    .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":pk", s(TableSchema.infraKey(infrastructure)), ":prefix", s(TableSchema.AUDIT_PREFIX)))
                    .scanIndexForward(false).limit(limit - entries.size()).exclusiveStartKey(from));
            page.items().forEach(item -> entries.add(parse(infrastructure, item)));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null && entries.size() < limit);
        return entries;
    }

    private static Entry parse(String infrastructure, Map<String, AttributeValue> item) {
        var details = new LinkedHashMap<String, String>();
        var stored = item.get("details");
        if (stored != null && stored.hasM()) new java.util.TreeMap<>(stored.m()).forEach((k, v) -> details.put(k, v.s()));
        return new Entry(Attributes.instant(item, "at"), infrastructure, Attributes.string(item, "actor"), Attributes.string(item, "action"),
                Attributes.string(item, "outcome"), details);
    }
}
