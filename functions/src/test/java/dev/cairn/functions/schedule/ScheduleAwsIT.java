package dev.cairn.functions.schedule;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.aws.store.DynamoAuditLog;
import dev.cairn.aws.store.DynamoLockStore;
import dev.cairn.aws.store.DynamoRevisionStore;
import dev.cairn.aws.store.DynamoRunStore;
import dev.cairn.aws.store.Tables;
import dev.cairn.aws.testing.AwsEmulator;
import dev.cairn.reconciler.store.AuditLog;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.store.RevisionStore;
import dev.cairn.reconciler.store.RunStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The schedule scenarios on the AWS wiring (CAIRN_TABLE set): DynamoDB stores and Step Functions
 * executions on moto. Each test gets a table and a Pass state machine of its own; what was
 * launched is read back from the executions (name, and the input the state machine gets).
 */
class ScheduleAwsIT extends ScheduleScenarios {
    @TempDir
    static Path motoDir;
    static AwsEmulator moto;
    static DynamoDbClient dynamo;
    static SfnClient sfn;
    static final AtomicInteger COUNTER = new AtomicInteger();
    static final ObjectMapper JSON = new ObjectMapper();
    String table;
    String stateMachineArn;

    @BeforeAll
    static void startMoto() throws Exception {
        moto = AwsEmulator.start(motoDir.resolve("moto.log"), true);
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        dynamo = DynamoDbClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        sfn = SfnClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    @AfterAll
    static void stopMoto() {
        if (dynamo != null) dynamo.close();
        if (sfn != null) sfn.close();
        if (moto != null) moto.close();
    }

    @Override
    Map<String, String> wiring(Path tmp) {
        var n = COUNTER.incrementAndGet();
        table = "cairn-schedule-" + n;
        Tables.create(dynamo, table);
        stateMachineArn = sfn.createStateMachine(b -> b.name("cairn-reconcile-" + n)
                .roleArn("arn:aws:iam::123456789012:role/cairn-test")
                .definition("{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Pass\",\"End\":true}}}")).stateMachineArn();
        return Map.of("CAIRN_TABLE", table, "CAIRN_STATE_MACHINE_ARN", stateMachineArn,
                "AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL", moto.endpoint(),
                "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test");
    }

    @Override
    List<Launched> launched() {
        return sfn.listExecutionsPaginator(b -> b.stateMachineArn(stateMachineArn)).executions().stream().map(e -> {
            var input = sfn.describeExecution(b -> b.executionArn(e.executionArn())).input();
            try {
                var in = JSON.readTree(input);
                return new Launched(e.name(), in.path("infrastructure").asText(), in.path("action").asText(),
                        in.path("commit").asText(), in.path("trigger").asText());
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }).toList();
    }

    @Override
    RevisionStore revisions() {
        return new DynamoRevisionStore(dynamo, table);
    }

    @Override
    RunStore runs() {
        return new DynamoRunStore(dynamo, table);
    }

    @Override
    LockStore locks() {
        return new DynamoLockStore(dynamo, table);
    }

    @Override
    AuditLog audit() {
        return new DynamoAuditLog(dynamo, table);
    }
}
