package dev.cairn.aws.store;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Cairn's one DynamoDB table (single-table design), as the SAM template declares it: partition key
 * {@code pk} (S), sort key {@code sk} (S), TTL attribute {@code expiresAt} (epoch seconds, N),
 * on-demand billing, no secondary index. The record kinds:
 *
 * <pre>
 * pk                              sk                                kind      written by
 * INFRA#&lt;infra&gt;                   RUN#&lt;runId&gt;                       run       DynamoRunStore
 * INFRA#&lt;infra&gt;                   OUTPUT#&lt;stage&gt;                    output    DynamoOutputStore
 * INFRA#&lt;infra&gt;                   LOCK                              lock      DynamoLockStore
 * INFRA#&lt;infra&gt;                   REVISION                          revision  DynamoRevisionStore
 * INFRA#&lt;infra&gt;                   THREAD#&lt;runId&gt;                    thread    DynamoThreadStore (expiresAt set)
 * INFRA#&lt;infra or -&gt;              AUDIT#&lt;utc time, ns&gt;#&lt;8 hex&gt;       audit     DynamoAuditLog
 * DELIVERY#&lt;source&gt;#&lt;deliveryId&gt;  DELIVERY                          delivery  DynamoDeliveryStore (expiresAt set)
 * </pre>
 */
public final class TableSchema {
    public static final String PK = "pk";
    public static final String SK = "sk";
    /** The TTL attribute: epoch seconds. */
    public static final String EXPIRES_AT = "expiresAt";
    public static final String KIND = "kind";

    /** Sort keys of time-ordered records: fixed width, so that text order is time order. */
    static final DateTimeFormatter SORTABLE_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private TableSchema() {
    }

    static String infraKey(String infrastructure) {
        if (infrastructure == null || infrastructure.isBlank()) throw new IllegalArgumentException("an infrastructure name is required");
        return "INFRA#" + infrastructure;
    }

    static String runKey(String runId) {
        return "RUN#" + runId;
    }

    static String threadKey(String runId) {
        if (runId == null || runId.isBlank()) throw new IllegalArgumentException("a run id is required");
        return "THREAD#" + runId;
    }

    static String outputKey(String stage) {
        return "OUTPUT#" + stage;
    }

    static final String LOCK = "LOCK";
    static final String REVISION = "REVISION";
    static final String DELIVERY = "DELIVERY";
    static final String RUN_PREFIX = "RUN#";
    static final String OUTPUT_PREFIX = "OUTPUT#";
    static final String AUDIT_PREFIX = "AUDIT#";

    static String auditKey(Instant at, String random) {
        return AUDIT_PREFIX + SORTABLE_TIME.format(at) + "#" + random;
    }

    static String deliveryKey(String source, String deliveryId) {
        if (source == null || source.isBlank()) throw new IllegalArgumentException("a delivery source is required");
        if (deliveryId == null || deliveryId.isBlank()) throw new IllegalArgumentException("a delivery id is required");
        if (deliveryId.length() > 256) throw new IllegalArgumentException("a delivery id is at most 256 characters (got " + deliveryId.length() + ")");
        return "DELIVERY#" + source + "#" + deliveryId;
    }
}
