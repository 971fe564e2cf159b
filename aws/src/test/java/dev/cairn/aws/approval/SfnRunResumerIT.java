package dev.cairn.aws.approval;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.aws.testing.MotoServer;
import dev.cairn.reconciler.approval.ApprovalStore.Approval;
import dev.cairn.reconciler.approval.ApprovalStore.State;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The resumer answers real task tokens: moto executes a state machine whose Approve step is a
 * {@code sqs:sendMessage.waitForTaskToken} task (moto's own SQS), the token is read from the
 * execution's {@code TaskScheduled} event, and the execution goes on (or fails with
 * {@code Rejected}) once the resumer answered it.
 */
class SfnRunResumerIT {
    @TempDir
    Path tmp;
    MotoServer moto;
    SfnClient sfn;
    String stateMachineArn;

    /** A fresh server per test: moto 5.2.1 can answer a second StartExecution on one server with HTTP 500. */
    @BeforeEach
    void start() throws Exception {
        moto = MotoServer.start(tmp.resolve("moto.log"));
        var http = HttpClient.newHttpClient();
        http.send(HttpRequest.newBuilder(URI.create(moto.endpoint() + "/moto-api/config"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"stepfunctions\":{\"execute_state_machine\":true}}")).build(),
                HttpResponse.BodyHandlers.discarding());
        var created = http.send(HttpRequest.newBuilder(URI.create(moto.endpoint() + "/"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofString("Action=CreateQueue&QueueName=approvals&Version=2012-11-05")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        sfn = SfnClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        var queue = moto.endpoint() + "/123456789012/approvals";
        var definition = """
                {"StartAt":"Approve","States":{
                  "Approve":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters":{"QueueUrl":"%s","MessageBody":{"token.$":"$$.Task.Token"}},"Next":"Apply"},
                  "Apply":{"Type":"Pass","End":true}}}""".formatted(queue);
        stateMachineArn = sfn.createStateMachine(b -> b.name("cairn-approve-test").roleArn("arn:aws:iam::123456789012:role/cairn-test")
                .definition(definition)).stateMachineArn();
    }

    @AfterEach
    void stop() {
        if (sfn != null) sfn.close();
        if (moto != null) moto.close();
    }

    @Test
    void anApprovalResumesTheWaitingExecutionWithTheDecision() throws Exception {
        var execution = sfn.startExecution(b -> b.stateMachineArn(stateMachineArn).name("approve-1").input("{}")).executionArn();
        var token = tokenOf(execution);
        new SfnRunResumer(sfn).approved(approval(token, State.APPROVED, null));
        var done = awaitEnd(execution);
        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        var output = new ObjectMapper().readTree(done.output());
        assertThat(output.path("approved").asBoolean()).isTrue();
        assertThat(output.path("decidedBy").asText()).isEqualTo("slack:U0APPROVER");
        assertThat(output.path("planSha256").asText()).isEqualTo("ab".repeat(32));
    }

    @Test
    void aRejectionFailsTheWaitingTaskWithRejected() throws Exception {
        var execution = sfn.startExecution(b -> b.stateMachineArn(stateMachineArn).name("reject-1").input("{}")).executionArn();
        var token = tokenOf(execution);
        new SfnRunResumer(sfn).rejected(approval(token, State.REJECTED, "wrong subnet"));
        var done = awaitEnd(execution);
        assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(done.error()).isEqualTo(SfnRunResumer.REJECTED);
        var failed = sfn.getExecutionHistory(b -> b.executionArn(execution)).events().stream()
                .filter(e -> e.type() == HistoryEventType.TASK_FAILED).findFirst().orElseThrow().taskFailedEventDetails();
        assertThat(failed.error()).isEqualTo(SfnRunResumer.REJECTED);
        // moto 5.2.1 drops SendTaskFailure's cause (null in the history and the execution); AWS keeps it
    }

    private static Approval approval(String token, State state, String reason) {
        return new Approval("prod", "run-1", "network", state, PlanSummary.EMPTY, "ab".repeat(32), "slack:U0REQUESTER", token,
                Instant.now(), null, "slack:U0APPROVER", Instant.now(), reason);
    }

    private String tokenOf(String execution) throws Exception {
        for (int i = 0; i < 100; i++) {
            for (var event : sfn.getExecutionHistory(b -> b.executionArn(execution)).events()) {
                if (event.type() == HistoryEventType.TASK_STARTED) {
                    var scheduled = sfn.getExecutionHistory(b -> b.executionArn(execution)).events().stream()
                            .filter(e -> e.type() == HistoryEventType.TASK_SCHEDULED).findFirst().orElseThrow();
                    return new ObjectMapper().readTree(scheduled.taskScheduledEventDetails().parameters())
                            .path("MessageBody").path("token").asText();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the execution never reached its waiting task");
    }

    private software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse awaitEnd(String execution) throws Exception {
        for (int i = 0; i < 100; i++) {
            var d = sfn.describeExecution(b -> b.executionArn(execution));
            if (d.status() != ExecutionStatus.RUNNING) return d;
            Thread.sleep(100);
        }
        throw new AssertionError("the execution is still running after it was answered");
    }
}
