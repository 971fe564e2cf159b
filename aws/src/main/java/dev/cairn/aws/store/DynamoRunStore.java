package dev.cairn.aws.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.store.RunStore;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.cairn.aws.store.Attributes.n;
import static dev.cairn.aws.store.Attributes.s;

/**
 * Runs as items {@code INFRA#<infra> / RUN#<runId>} holding the run as JSON ({@code run}) beside
 * its {@code version} and {@code status}. A new run is written only if absent
 * ({@code attribute_not_exists(pk)}), an update only over the version before it
 * ({@code version = :previous}). Listing is one query, newest first (run ids sort by time).
 */
public final class DynamoRunStore implements RunStore {
    static final ObjectWriter COMPACT = Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoRunStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void put(Run run) {
        var item = new HashMap<String, AttributeValue>(Attributes.key(TableSchema.infraKey(run.infrastructure()), TableSchema.runKey(run.id())));
        item.put(TableSchema.KIND, s("run"));
        item.put("version", n(run.version()));
        item.put("status", s(run.status().name()));
        try {
            item.put("run", s(COMPACT.writeValueAsString(run)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("run " + run.id() + " does not serialize", e);
        }
        var request = PutItemRequest.builder().tableName(table).item(item);
        if (run.version() == 0) {
            request.conditionExpression("attribute_not_exists(pk)");
        } else {
            request.conditionExpression("version = :previous").expressionAttributeValues(Map.of(":previous", n(run.version() - 1)));
        }
        try {
            dynamo.putItem(request.build());
        } catch (ConditionalCheckFailedException e) {
            throw new ConflictException(run.version() == 0
                    ? "run " + run.id() + " already exists (a new run has version 0 and is stored once)"
                    : "run " + run.id() + " was changed by someone else or is not stored (writing version " + run.version()
                    + ", which must follow the stored version " + (run.version() - 1) + ")");
        }
    }

    @Override
    public Optional<Run> get(String infrastructure, String runId) {
        var item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Attributes.key(TableSchema.infraKey(infrastructure), TableSchema.runKey(runId)))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(parse(item));
    }

    @Override
    public List<Run> list(String infrastructure, int limit) {
        var runs = new ArrayList<Run>();
        if (limit <= 0) return runs;
        Map<String, AttributeValue> start = null;
        do {
            var from = start;
            var page = dynamo.query(b -> b.tableName(table).consistentRead(true)
                    .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":pk", s(TableSchema.infraKey(infrastructure)), ":prefix", s(TableSchema.RUN_PREFIX)))
                    .scanIndexForward(false).limit(limit - runs.size()).exclusiveStartKey(from));
            page.items().forEach(item -> runs.add(parse(item)));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null && runs.size() < limit);
        return runs;
    }

    private static Run parse(Map<String, AttributeValue> item) {
        try {
            return Json.MAPPER.readValue(Attributes.string(item, "run"), Run.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the stored run " + Attributes.string(item, TableSchema.SK) + " does not parse: " + e.getOriginalMessage(), e);
        }
    }
}
