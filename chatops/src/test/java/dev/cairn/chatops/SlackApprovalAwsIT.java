package dev.cairn.chatops;

import dev.cairn.notify.slack.BlockKit;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.bolt.aws_lambda.request.ApiGatewayRequest;
import dev.cairn.aws.approval.DynamoApprovalStore;
import dev.cairn.aws.store.Tables;
import dev.cairn.aws.testing.MotoServer;
import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SlackFunction} in its AWS wiring against moto: secrets from Secrets Manager, the
 * infrastructures from a git repo (cloned by URL), DynamoDB stores, runs started on moto's
 * executing Step Functions. The "run" is a state machine whose Approve step waits for a task token
 * ({@code sqs:sendMessage.waitForTaskToken}); the requester's click is refused (four eyes) and the
 * execution keeps waiting; another approver's click answers the token and the execution succeeds.
 */
class SlackApprovalAwsIT {
    static final String SECRET = "aws-signing-secret";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    MotoServer moto;
    SlackWebApi api;
    SfnClient sfn;
    DynamoDbClient dynamo;
    Map<String, String> env;
    String stateMachineArn;

    @BeforeEach
    void start() throws Exception {
        moto = MotoServer.start(tmp.resolve("moto.log"));
        api = new SlackWebApi();
        var http = HttpClient.newHttpClient();
        http.send(HttpRequest.newBuilder(URI.create(moto.endpoint() + "/moto-api/config"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"stepfunctions\":{\"execute_state_machine\":true}}")).build(),
                HttpResponse.BodyHandlers.discarding());
        http.send(HttpRequest.newBuilder(URI.create(moto.endpoint() + "/"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofString("Action=CreateQueue&QueueName=approvals&Version=2012-11-05")).build(),
                HttpResponse.BodyHandlers.discarding());
        var aws = new HashMap<>(Map.of("AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL", moto.endpoint(),
                "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test"));
        sfn = ChatopsWiring.client(aws, SfnClient.builder());
        dynamo = ChatopsWiring.client(aws, DynamoDbClient.builder());
        Tables.create(dynamo, "cairn");
        try (var secrets = ChatopsWiring.client(aws, SecretsManagerClient.builder())) {
            secrets.createSecret(b -> b.name("cairn/slack-signing-secret").secretString(SECRET));
            secrets.createSecret(b -> b.name("cairn/slack-bot-token").secretString("xoxb-aws-test"));
        }
        var definition = """
                {"StartAt":"Approve","States":{
                  "Approve":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters":{"QueueUrl":"%s/123456789012/approvals","MessageBody":{"token.$":"$$.Task.Token"}},"Next":"Apply"},
                  "Apply":{"Type":"Pass","End":true}}}""".formatted(moto.endpoint());
        stateMachineArn = sfn.createStateMachine(b -> b.name("cairn-reconcile").roleArn("arn:aws:iam::123456789012:role/cairn")
                .definition(definition)).stateMachineArn();

        var repo = tmp.resolve("infra-repo");
        Files.createDirectories(repo.resolve("infrastructures"));
        Files.writeString(repo.resolve("cairn.yaml"), "apiVersion: cairn.dev/v1\nkind: Repository\nbranch: main\n");
        Files.writeString(repo.resolve("infrastructures/prod.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata: { name: prod }
                spec:
                  policy: { apply: approval, approvers: [U0APPROVER, U0REQUESTER], destroy: forbidden }
                """);
        try (var git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            git.commit().setMessage("prod").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").setSign(false).call();
        }

        env = new HashMap<>(aws);
        env.putAll(Map.of("CAIRN_TABLE", "cairn", "CAIRN_STATE_MACHINE_ARN", stateMachineArn,
                "CAIRN_SLACK_SIGNING_SECRET_NAME", "cairn/slack-signing-secret", "CAIRN_SLACK_BOT_TOKEN_NAME", "cairn/slack-bot-token",
                "CAIRN_SLACK_API_URL", api.url(), "CAIRN_REPO_URL", repo.toUri().toString(),
                "CAIRN_GIT_CACHE_DIR", tmp.resolve("git-cache").toString(), "CAIRN_KMS_KEY_ID", "unused"));
    }

    @AfterEach
    void stop() {
        if (sfn != null) sfn.close();
        if (dynamo != null) dynamo.close();
        if (api != null) api.close();
        if (moto != null) moto.close();
    }

    static ApiGatewayRequest event(String body, Map<String, String> extra) {
        var now = Long.toString(Instant.now().getEpochSecond());
        var headers = new HashMap<>(Map.of("Content-Type", "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp", now,
                "X-Slack-Signature", new SlackSignature(SECRET, Clock.systemUTC()).sign(now, body)));
        headers.putAll(extra);
        var event = new ApiGatewayRequest();
        event.setHttpMethod("POST");
        event.setPath("/slack/events");
        event.setResource("/slack/events");
        event.setHeaders(headers);
        event.setBody(body);
        return event;
    }

    static String click(String user, String value) throws Exception {
        var payload = Map.of("type", "block_actions", "team", Map.of("id", "T0CAIRN"), "user", Map.of("id", user),
                "channel", Map.of("id", "C0INFRA"), "container", Map.of("type", "message", "message_ts", "1733000000.000100"),
                "trigger_id", "click-" + user, "response_url", "http://127.0.0.1:1/hooks",
                "actions", List.of(Map.of("type", "button", "action_id", BlockKit.APPROVE, "block_id", "cairn_approval",
                        "value", value, "action_ts", "1.3")));
        return "payload=" + URLEncoder.encode(JSON.writeValueAsString(payload), StandardCharsets.UTF_8);
    }

    @Test
    void anApplyStartsOneExecutionTheRequesterCannotApproveItAnotherApproverResumesIt() throws Exception {
        var function = new SlackFunction(env);
        assertThat(function.misconfigured()).isNull();
        var apply = "team_id=T0CAIRN&channel_id=C0INFRA&user_id=U0REQUESTER&command=%2Finfra&text=apply+prod"
                + "&response_url=http%3A%2F%2F127.0.0.1%3A1%2Fh&trigger_id=777.888.apply";
        var acked = function.handleRequest(event(apply, Map.of()), null);
        assertThat(acked.getStatusCode()).as(acked.getBody()).isEqualTo(200);
        assertThat(acked.getBody()).contains("in_channel").contains("apply prod");
        var retried = function.handleRequest(event(apply, Map.of("X-Slack-Retry-Num", "1")), null);
        assertThat(retried.getStatusCode()).isEqualTo(200);
        var executions = sfn.listExecutions(b -> b.stateMachineArn(stateMachineArn)).executions();
        assertThat(executions).as("one execution for the command and its retry").hasSize(1);
        var execution = executions.get(0).executionArn();
        var input = JSON.readTree(sfn.describeExecution(b -> b.executionArn(execution)).input());
        assertThat(input.path("infrastructure").asText()).isEqualTo("prod");
        assertThat(input.path("action").asText()).isEqualTo("APPLY");
        assertThat(input.path("trigger").asText()).isEqualTo("slack:U0REQUESTER");

        // the state machine's Approve step stores the approval with its task token (issue 7's part, done here by hand)
        var token = tokenOf(execution);
        var runId = executions.get(0).name();
        new DynamoApprovalStore(dynamo, "cairn").request(new ApprovalStore.Approval("prod", runId, "network", ApprovalStore.State.PENDING,
                PlanSummary.EMPTY, "cd".repeat(32), "slack:U0REQUESTER", token, Instant.now(), Instant.now().plusSeconds(3600),
                null, null, null));

        var own = function.handleRequest(event(click("U0REQUESTER", "prod/" + runId + "/network"), Map.of()), null);
        assertThat(own.getStatusCode()).isEqualTo(200);
        Thread.sleep(300);
        assertThat(sfn.describeExecution(b -> b.executionArn(execution)).status()).isEqualTo(ExecutionStatus.RUNNING);
        assertThat(api.calls.get(api.methods().lastIndexOf("chat.postEphemeral")).body()).contains("four%20eyes");

        var other = function.handleRequest(event(click("U0APPROVER", "prod/" + runId + "/network"), Map.of()), null);
        assertThat(other.getStatusCode()).isEqualTo(200);
        assertThat(awaitEnd(execution)).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(api.methods()).contains("chat.update");
        assertThat(api.calls.stream().map(SlackWebApi.Call::body)).noneMatch(b -> b.contains(token));
    }

    @Test
    void aStrangerCannotCancelARunAndItsRequesterStopsTheExecution() throws Exception {
        // moto 5.2.1's executing Step Functions answers StopExecution without stopping the interpreted
        // execution: this one runs on moto's plain Step Functions (an execution stays RUNNING until stopped)
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(moto.endpoint() + "/moto-api/config"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"stepfunctions\":{\"execute_state_machine\":false}}")).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(sfn.createStateMachine(b -> b.name("cairn-reconcile").roleArn("arn:aws:iam::123456789012:role/cairn")
                .definition("{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Pass\",\"End\":true}}}")).stateMachineArn())
                .isEqualTo(stateMachineArn);
        var function = new SlackFunction(env);
        var apply = "team_id=T0CAIRN&channel_id=C0INFRA&user_id=U0REQUESTER&command=%2Finfra&text=apply+prod"
                + "&response_url=http%3A%2F%2F127.0.0.1%3A1%2Fh&trigger_id=777.888.cancel";
        assertThat(function.handleRequest(event(apply, Map.of()), null).getStatusCode()).isEqualTo(200);
        var execution = sfn.listExecutions(b -> b.stateMachineArn(stateMachineArn)).executions().getFirst();
        assertThat(sfn.describeExecution(b -> b.executionArn(execution.executionArn())).status()).isEqualTo(ExecutionStatus.RUNNING);

        var cancel = "team_id=T0CAIRN&channel_id=C0INFRA&user_id=%s&command=%%2Finfra&text=cancel+prod%%2F" + execution.name()
                + "&response_url=http%%3A%%2F%%2F127.0.0.1%%3A1%%2Fh&trigger_id=%s";
        var refused = function.handleRequest(event(cancel.formatted("U0STRANGER", "t.1"), Map.of()), null);
        assertThat(refused.getStatusCode()).isEqualTo(200);
        assertThat(refused.getBody()).contains("ephemeral").contains("refused");
        assertThat(sfn.describeExecution(b -> b.executionArn(execution.executionArn())).status()).isEqualTo(ExecutionStatus.RUNNING);

        var cancelled = function.handleRequest(event(cancel.formatted("U0REQUESTER", "t.2"), Map.of()), null);
        assertThat(cancelled.getStatusCode()).isEqualTo(200);
        assertThat(cancelled.getBody()).contains("in_channel").contains("cancelled by");
        assertThat(awaitEnd(execution.executionArn())).isEqualTo(ExecutionStatus.ABORTED);
        var again = function.handleRequest(event(cancel.formatted("U0REQUESTER", "t.3"), Map.of()), null);
        assertThat(again.getBody()).contains("is not running");
    }

    @Test
    void aForgedRequestIsRefusedAndStartsNothing() throws Exception {
        var function = new SlackFunction(env);
        var event = event("user_id=U0REQUESTER&command=%2Finfra&text=apply+prod&trigger_id=1", Map.of());
        event.setBody(event.getBody().replace("U0REQUESTER", "U0APPROVER"));
        assertThat(function.handleRequest(event, null).getStatusCode()).isEqualTo(401);
        assertThat(sfn.listExecutions(b -> b.stateMachineArn(stateMachineArn)).executions()).isEmpty();
    }

    private String tokenOf(String execution) throws Exception {
        for (int i = 0; i < 100; i++) {
            var events = sfn.getExecutionHistory(b -> b.executionArn(execution)).events();
            if (events.stream().anyMatch(e -> e.type() == HistoryEventType.TASK_STARTED)) {
                var scheduled = events.stream().filter(e -> e.type() == HistoryEventType.TASK_SCHEDULED).findFirst().orElseThrow();
                return JSON.readTree(scheduled.taskScheduledEventDetails().parameters()).path("MessageBody").path("token").asText();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the execution never reached its waiting task");
    }

    private ExecutionStatus awaitEnd(String execution) throws Exception {
        for (int i = 0; i < 100; i++) {
            var status = sfn.describeExecution(b -> b.executionArn(execution)).status();
            if (status != ExecutionStatus.RUNNING) return status;
            Thread.sleep(100);
        }
        return ExecutionStatus.RUNNING;
    }
}
