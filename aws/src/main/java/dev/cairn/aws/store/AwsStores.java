package dev.cairn.aws.store;

import dev.cairn.aws.AwsClients;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.util.Map;

/**
 * Every store of the serverless flow, built once from the environment of a function (an env map,
 * so that {@code cairn invoke} can run a handler in-process with an environment of its own):
 *
 * <ul>
 *   <li>{@code CAIRN_TABLE} (required): the DynamoDB table, laid out as {@link TableSchema} says;</li>
 *   <li>{@code CAIRN_BUCKET} (required): the S3 bucket of blobs;</li>
 *   <li>{@code CAIRN_KMS_KEY_ID} (optional, set by the template): the KMS key that seals sensitive
 *       outputs and encrypts blobs (SSE-KMS); without it sensitive outputs are refused;</li>
 *   <li>{@code AWS_REGION} (or {@code AWS_DEFAULT_REGION}), and {@code AWS_ENDPOINT_URL} when an
 *       emulator stands in for AWS (S3 then uses path-style addressing);</li>
 *   <li>{@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}/{@code AWS_SESSION_TOKEN} when
 *       given in the map, else the SDK's default credentials chain (the function's role).</li>
 * </ul>
 *
 * The SDK clients use the URL-connection HTTP client and are closed with this object.
 */
public final class AwsStores implements AutoCloseable {
    public static final String TABLE = "CAIRN_TABLE";
    public static final String BUCKET = "CAIRN_BUCKET";
    public static final String KMS_KEY_ID = "CAIRN_KMS_KEY_ID";

    private final DynamoDbClient dynamo;
    private final S3Client s3;
    private final KmsClient kms;
    private final String table;
    private final String bucket;
    private final String kmsKeyId;
    private final DynamoRunStore runs;
    private final DynamoOutputStore outputs;
    private final DynamoLockStore locks;
    private final DynamoDeliveryStore deliveries;
    private final DynamoRevisionStore revisions;
    private final DynamoAuditLog audit;
    private final DynamoThreadStore threads;
    private final S3BlobStore blobs;

    public AwsStores(DynamoDbClient dynamo, S3Client s3, KmsClient kms, String table, String bucket, String kmsKeyId) {
        this.dynamo = dynamo;
        this.s3 = s3;
        this.kms = kms;
        this.table = table;
        this.bucket = bucket;
        this.kmsKeyId = kmsKeyId;
        this.runs = new DynamoRunStore(dynamo, table);
        this.outputs = new DynamoOutputStore(dynamo, kms, table, kmsKeyId);
        this.locks = new DynamoLockStore(dynamo, table);
        this.deliveries = new DynamoDeliveryStore(dynamo, table);
        this.revisions = new DynamoRevisionStore(dynamo, table);
        this.audit = new DynamoAuditLog(dynamo, table);
        this.threads = new DynamoThreadStore(dynamo, table);
        this.blobs = new S3BlobStore(s3, bucket, kmsKeyId);
    }

    /** The stores named by {@code env}; a missing required variable is an error that names it. */
    public static AwsStores fromEnv(Map<String, String> env) {
        var table = required(env, TABLE, "the DynamoDB table of runs, locks, outputs and deliveries");
        var bucket = required(env, BUCKET, "the S3 bucket of plans, logs and bundles");
        var kmsKeyId = blankToNull(env.get(KMS_KEY_ID));
        var clients = Clients.fromEnv(env);
        return new AwsStores(clients.dynamo(), clients.s3(), clients.kms(), table, bucket, kmsKeyId);
    }

    /** SDK clients for {@code env}'s region, endpoint and credentials. */
    public record Clients(DynamoDbClient dynamo, S3Client s3, KmsClient kms) {
        public static Clients fromEnv(Map<String, String> env) {
            var clients = new AwsClients(env);
            if (clients.region() == null) {
                throw new IllegalArgumentException("AWS_REGION is not set: name the AWS region of Cairn's table and bucket (e.g. AWS_REGION=eu-west-1)");
            }
            return new Clients(clients.build(DynamoDbClient.builder()),
                    clients.build(S3Client.builder().forcePathStyle(clients.endpointOverridden())),
                    clients.build(KmsClient.builder()));
        }
    }

    private static String required(Map<String, String> env, String name, String what) {
        var value = blankToNull(env.get(name));
        if (value == null) throw new IllegalArgumentException(name + " is not set: it names " + what);
        return value;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    public DynamoRunStore runs() {
        return runs;
    }

    public DynamoOutputStore outputs() {
        return outputs;
    }

    public DynamoLockStore locks() {
        return locks;
    }

    public DynamoDeliveryStore deliveries() {
        return deliveries;
    }

    public DynamoRevisionStore revisions() {
        return revisions;
    }

    public DynamoThreadStore threads() {
        return threads;
    }

    public DynamoAuditLog audit() {
        return audit;
    }

    public S3BlobStore blobs() {
        return blobs;
    }

    public DynamoDbClient dynamo() {
        return dynamo;
    }

    public S3Client s3() {
        return s3;
    }

    public KmsClient kms() {
        return kms;
    }

    public String table() {
        return table;
    }

    public String bucket() {
        return bucket;
    }

    public String kmsKeyId() {
        return kmsKeyId;
    }

    @Override
    public void close() {
        dynamo.close();
        s3.close();
        kms.close();
    }
}
