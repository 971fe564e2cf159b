package dev.cairn.functions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.aws.store.AwsStores;
import dev.cairn.aws.store.DynamoAuditLog;
import dev.cairn.aws.store.Tables;
import dev.cairn.aws.testing.AwsEmulator;
import dev.cairn.reconciler.store.AuditLog;
import org.eclipse.jgit.transport.RefSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

import static dev.cairn.functions.GitWebhookFunctionTest.body;
import static dev.cairn.functions.WebhookScenarios.list;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pull request event on the AWS wiring (DynamoDB dedupe and audit, Step Functions on moto): ten
 * deliveries of one {@code opened} and a replay under another id start exactly one execution, of
 * dev only, whose input is a plan-only preview of the PR's head.
 */
class PullRequestAwsIT {
    @TempDir
    static Path motoDir;
    @TempDir
    Path tmp;
    static AwsEmulator moto;
    static DynamoDbClient dynamo;
    static SfnClient sfn;

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

    @Test
    void tenDeliveriesOfAnOpenedPrStartOnePreviewExecutionPerChangedInfrastructure() throws Exception {
        Tables.create(dynamo, "cairn-pr");
        var stateMachine = sfn.createStateMachine(b -> b.name("cairn-reconcile-pr").roleArn("arn:aws:iam::123456789012:role/cairn-test")
                .definition("{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Pass\",\"End\":true}}}")).stateMachineArn();
        var function = new GitWebhookFunction(Map.of(AwsStores.TABLE, "cairn-pr", "CAIRN_STATE_MACHINE_ARN", stateMachine,
                "AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL", moto.endpoint(), "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test",
                "CAIRN_GITHUB_WEBHOOK_SECRET", TestEvents.SECRET, "CAIRN_GIT_CACHE_DIR", tmp.resolve("git-cache").toString()));
        try (var repo = TestRepo.twoInfrastructures(tmp.resolve("repo"))) {
            var base = repo.head();
            var head = repo.checkout("feature", true).write("infrastructures/dev.yaml", TestRepo.manifest("dev", "10.7.0.0/16"))
                    .commitAndPush("feature", "dev: cidr");
            repo.git.push().setRemote(repo.url()).setRefSpecs(new RefSpec("refs/heads/feature:refs/pull/7/head")).call();
            var event = TestEvents.withHeader(TestEvents.edited("github-pull-request.json", b -> {
                var pr = (ObjectNode) b.get("pull_request");
                ((ObjectNode) pr.get("base")).put("sha", base);
                ((ObjectNode) pr.get("head")).put("sha", head);
                ((ObjectNode) b.get("repository")).put("clone_url", repo.url());
            }), "x-github-delivery", "7c000000-0000-4000-8000-000000000001");

            var first = function.handleRequest(event, null);
            assertThat(first.getStatusCode()).as(first.getBody()).isEqualTo(202);
            assertThat(list(body(first), "started")).singleElement().satisfies(s -> assertThat(s).containsEntry("infrastructure", "dev"));
            for (int i = 0; i < 9; i++) assertThat(body(function.handleRequest(event, null))).containsEntry("outcome", "duplicate");
            var replay = function.handleRequest(TestEvents.withHeader(event, "x-github-delivery", "7c000000-0000-4000-8000-000000000002"), null);
            assertThat(list(body(replay), "started")).singleElement().satisfies(s -> assertThat(s).containsEntry("alreadyStarted", true));

            var executions = sfn.listExecutionsPaginator(b -> b.stateMachineArn(stateMachine)).executions().stream().toList();
            assertThat(executions).hasSize(1);
            var input = TestEvents.JSON.readTree(sfn.describeExecution(b -> b.executionArn(executions.getFirst().executionArn())).input());
            assertThat(input.path("infrastructure").asText()).isEqualTo("dev");
            assertThat(input.path("action").asText()).isEqualTo("PLAN");
            assertThat(input.path("commit").asText()).isEqualTo(head);
            assertThat(input.path("ref").asText()).isEqualTo("refs/pull/7/head");
            assertThat(input.path("trigger").asText()).isEqualTo("github:preview acme/infra#7 base " + base + " onto main@" + base);
            AuditLog audit = new DynamoAuditLog(dynamo, "cairn-pr");
            assertThat(audit.list("dev", 10)).extracting(AuditLog.Entry::outcome).containsExactly("started", "started");
        }
    }
}
