package dev.cairn.functions;

import dev.cairn.aws.store.AwsStores;
import dev.cairn.aws.store.DynamoAuditLog;
import dev.cairn.aws.store.DynamoRevisionStore;
import dev.cairn.aws.store.Tables;
import dev.cairn.aws.testing.AwsEmulator;
import dev.cairn.reconciler.store.AuditLog;
import dev.cairn.reconciler.store.RevisionStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The push scenarios on the AWS wiring (CAIRN_TABLE set): DynamoDB stores and Step Functions
 * executions on moto, the webhook secret read from Secrets Manager by name. Each test gets a table and a trivial Pass state machine of its own, made
 * here: this is a handler test, not a deploy test.
 */
class GitWebhookAwsIT extends WebhookScenarios {
    @TempDir
    static Path motoDir;
    static AwsEmulator moto;
    static DynamoDbClient dynamo;
    static SfnClient sfn;
    static SecretsManagerClient secrets;
    static final AtomicInteger COUNTER = new AtomicInteger();
    String table;
    String stateMachineArn;

    @BeforeAll
    static void startMoto() throws Exception {
        // one request at a time: moto's threaded server does not make conditional writes atomic
        moto = AwsEmulator.start(motoDir.resolve("moto.log"), true);
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        dynamo = DynamoDbClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        sfn = SfnClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        secrets = SecretsManagerClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    @AfterAll
    static void stopMoto() {
        if (dynamo != null) dynamo.close();
        if (sfn != null) sfn.close();
        if (secrets != null) secrets.close();
        if (moto != null) moto.close();
    }

    @Override
    Map<String, String> wiring(Path tmp) {
        var n = COUNTER.incrementAndGet();
        table = "cairn-webhook-" + n;
        Tables.create(dynamo, table);
        stateMachineArn = sfn.createStateMachine(b -> b.name("cairn-reconcile-" + n)
                .roleArn("arn:aws:iam::123456789012:role/cairn-test")
                .definition("{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Pass\",\"End\":true}}}")).stateMachineArn();
        return Map.of(AwsStores.TABLE, table, "CAIRN_STATE_MACHINE_ARN", stateMachineArn,
                "AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL", moto.endpoint(),
                "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test");
    }

    /** The production path: the secret is read from Secrets Manager by its name. */
    @Override
    Map<String, String> webhookSecret() {
        var name = "cairn/github-webhook-" + COUNTER.get();
        secrets.createSecret(b -> b.name(name).secretString(TestEvents.SECRET));
        return Map.of("CAIRN_GITHUB_WEBHOOK_SECRET_NAME", name);
    }

    @Override
    long runsStarted() {
        return sfn.listExecutionsPaginator(b -> b.stateMachineArn(stateMachineArn)).executions().stream().count();
    }

    @Override
    RevisionStore revisions() {
        return new DynamoRevisionStore(dynamo, table);
    }

    @Override
    AuditLog audit() {
        return new DynamoAuditLog(dynamo, table);
    }
}
