package dev.cairn.aws.approval;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.terraform.PlanSummary;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Approvals in Cairn's table as items {@code INFRA#<infra> / APPROVAL#<runId>#<stage>} (kind
 * {@code approval}). A request is a create-if-absent put; a decision is one conditional update,
 * {@code state = PENDING AND expiresAtMs > :now}, so it happens exactly once and never after
 * expiry. {@code expiresAt} (the table's TTL attribute, epoch seconds) is the expiry plus
 * {@link #RETENTION}, so a decided approval stays readable a while; the audit log keeps the decision
 * for good. The task token is stored as given and never logged.
 */
public final class DynamoApprovalStore implements ApprovalStore {
    /** How long an approval stays in the table after it expired. */
    public static final Duration RETENTION = Duration.ofDays(30);
    private static final String PREFIX = "APPROVAL#";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoApprovalStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void request(Approval approval) {
        if (approval.state() != State.PENDING) throw new IllegalArgumentException("a new approval is PENDING, not " + approval.state());
        try {
            dynamo.putItem(b -> b.tableName(table).item(item(approval)).conditionExpression("attribute_not_exists(pk)"));
        } catch (ConditionalCheckFailedException exists) {
            // a retried Approve step: the stored approval stands
        }
    }

    @Override
    public Optional<Approval> get(String infrastructure, String runId, String stage) {
        var item = dynamo.getItem(b -> b.tableName(table).consistentRead(true).key(key(infrastructure, runId, stage))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(approval(item));
    }

    @Override
    public List<Approval> pending(String infrastructure) {
        var found = new ArrayList<Approval>();
        Map<String, AttributeValue> start = null;
        do {
            var from = start;
            var page = dynamo.query(b -> {
                b.tableName(table).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                        .filterExpression("#state = :pending")
                        .expressionAttributeNames(Map.of("#state", "state"))
                        .expressionAttributeValues(Map.of(":pk", s(infraKey(infrastructure)), ":prefix", s(PREFIX),
                                ":pending", s(State.PENDING.name())));
                if (from != null) b.exclusiveStartKey(from);
            });
            page.items().forEach(i -> found.add(approval(i)));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        found.sort(Comparator.comparing(Approval::requestedAt).thenComparing(Approval::id));
        return found;
    }

    @Override
    public Optional<Approval> decide(String infrastructure, String runId, String stage, State decision, String decidedBy,
                                     String reason, Instant now) {
        if (decision != State.APPROVED && decision != State.REJECTED) {
            throw new IllegalArgumentException("a decision is APPROVED or REJECTED, not " + decision);
        }
        var values = new HashMap<String, AttributeValue>();
        values.put(":pending", s(State.PENDING.name()));
        values.put(":decision", s(decision.name()));
        values.put(":by", s(decidedBy));
        values.put(":at", s(now.toString()));
        values.put(":now", n(now.toEpochMilli()));
        var update = "SET #state = :decision, decidedBy = :by, decidedAt = :at";
        if (reason != null) {
            values.put(":reason", s(reason));
            update += ", reason = :reason";
        }
        var expression = update;
        try {
            var result = dynamo.updateItem(b -> b.tableName(table).key(key(infrastructure, runId, stage))
                    .updateExpression(expression)
                    .conditionExpression("attribute_exists(pk) AND #state = :pending AND (attribute_not_exists(expiresAtMs) OR expiresAtMs > :now)")
                    .expressionAttributeNames(Map.of("#state", "state"))
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW));
            return Optional.of(approval(result.attributes()));
        } catch (ConditionalCheckFailedException decidedOrExpired) {
            return Optional.empty();
        }
    }

    private static Map<String, AttributeValue> key(String infrastructure, String runId, String stage) {
        return Map.of("pk", s(infraKey(infrastructure)), "sk", s(sortKey(runId, stage)));
    }

    static String sortKey(String runId, String stage) {
        if (runId == null || runId.isBlank() || runId.contains("#")) throw new IllegalArgumentException("not a run id: " + runId);
        if (stage == null || stage.isBlank() || stage.contains("#")) throw new IllegalArgumentException("not a stage name: " + stage);
        return PREFIX + runId + "#" + stage;
    }

    private static String infraKey(String infrastructure) {
        if (infrastructure == null || infrastructure.isBlank()) throw new IllegalArgumentException("an infrastructure name is required");
        return "INFRA#" + infrastructure;
    }

    private static Map<String, AttributeValue> item(Approval a) {
        var item = new HashMap<>(key(a.infrastructure(), a.runId(), a.stage()));
        item.put("kind", s("approval"));
        item.put("infrastructure", s(a.infrastructure()));
        item.put("runId", s(a.runId()));
        item.put("stage", s(a.stage()));
        item.put("state", s(a.state().name()));
        try {
            item.put("plan", s(Json.MAPPER.writeValueAsString(a.plan() == null ? PlanSummary.EMPTY : a.plan())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        put(item, "planSha256", a.planSha256());
        put(item, "requestedBy", a.requestedBy());
        put(item, "taskToken", a.taskToken());
        item.put("requestedAt", s(a.requestedAt().toString()));
        if (a.expiresAt() != null) {
            item.put("expiresAtMs", n(a.expiresAt().toEpochMilli()));
            item.put("expiresAt", n(a.expiresAt().plus(RETENTION).getEpochSecond()));
        }
        return item;
    }

    private static Approval approval(Map<String, AttributeValue> item) {
        PlanSummary plan;
        try {
            plan = Json.MAPPER.readValue(string(item, "plan"), PlanSummary.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the stored plan summary of an approval does not parse", e);
        }
        var expires = item.get("expiresAtMs");
        return new Approval(string(item, "infrastructure"), string(item, "runId"), string(item, "stage"),
                State.valueOf(string(item, "state")), plan, string(item, "planSha256"), string(item, "requestedBy"),
                string(item, "taskToken"), instant(item, "requestedAt"),
                expires == null ? null : Instant.ofEpochMilli(Long.parseLong(expires.n())),
                string(item, "decidedBy"), instant(item, "decidedAt"), string(item, "reason"));
    }

    private static void put(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) item.put(name, s(value));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    private static String string(Map<String, AttributeValue> item, String name) {
        var v = item.get(name);
        return v == null ? null : v.s();
    }

    private static Instant instant(Map<String, AttributeValue> item, String name) {
        var v = string(item, name);
        return v == null ? null : Instant.parse(v);
    }
}
