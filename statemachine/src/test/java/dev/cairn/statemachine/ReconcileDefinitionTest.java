package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the production definition, statemachine/reconcile.asl.json, end to end: a lambda:invoke
 * stand-in answering like the task function, a codebuild:startBuild.sync stand-in answering like
 * CodeBuild, and the approval through TaskTokens.
 */
class ReconcileDefinitionTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String LAMBDA = "arn:aws:states:::lambda:invoke";
    static final String LAMBDA_TOKEN = "arn:aws:states:::lambda:invoke.waitForTaskToken";
    static final String BUILD = "arn:aws:states:::codebuild:startBuild.sync";

    final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    final List<JsonNode> calls = new CopyOnWriteArrayList<>();
    final List<JsonNode> builds = new CopyOnWriteArrayList<>();
    final Map<String, JsonNode> approvals = new ConcurrentHashMap<>();
    final AtomicInteger nextCalls = new AtomicInteger();
    final AtomicInteger renderFailures = new AtomicInteger(1);
    String approvalAnswer = "approve";
    LocalExecutions executions;

    static StateMachine reconcile() throws IOException {
        Path file = Path.of(System.getProperty("cairn.repoRoot", "..")).resolve("statemachine/reconcile.asl.json");
        return StateMachine.parse(Files.readString(file), "statemachine/reconcile.asl.json",
                Map.of("TaskFunctionArn", "arn:aws:lambda:local:000000000000:function:task", "BuildProjectName", "cairn-stage"));
    }

    /** Like ReconcileTaskFunction: prepare, next (two stages, then done), render, planned, approve, record, finish. */
    JsonNode lambda(TaskCall call) throws TaskFailure {
        JsonNode payload = call.parameters().get("Payload");
        calls.add(payload);
        ObjectNode result = JSON.createObjectNode();
        switch (payload.get("task").asText()) {
            case "prepare" -> result.putObject("Payload").put("runId", "run-1").put("parallelism", 2);
            case "next" -> {
                ObjectNode out = result.putObject("Payload");
                if (nextCalls.getAndIncrement() == 0) {
                    out.putArray("start").add(stage("network", true)).add(stage("app", false));
                    out.put("done", false);
                } else {
                    out.putArray("start");
                    out.put("done", true);
                }
            }
            case "render" -> {
                if (payload.get("stage").asText().equals("network") && renderFailures.getAndDecrement() > 0) {
                    throw new TaskFailure("Lambda.TooManyRequestsException", "Rate exceeded");
                }
                result.putObject("Payload");
            }
            case "planned" -> result.putObject("Payload").put("then", "approve");
            case "approve" -> {
                approvals.put(payload.get("stage").asText(), payload);
                result.putObject("Payload");
            }
            case "finish" -> result.putObject("Payload").put("status",
                    calls.stream().anyMatch(c -> c.get("task").asText().equals("recordFailure")) ? "FAILED" : "SUCCEEDED");
            default -> result.putObject("Payload");
        }
        result.put("StatusCode", 200);
        return result;
    }

    JsonNode build(TaskCall call) {
        builds.add(call.parameters());
        ObjectNode result = JSON.createObjectNode();
        result.putObject("Build").put("Id", "cairn-stage:" + builds.size()).put("BuildStatus", "SUCCEEDED");
        return result;
    }

    ObjectNode stage(String name, boolean planApply) {
        ObjectNode stage = JSON.createObjectNode().put("name", name).put("planApply", planApply).put("planStep", "plan")
                .put("computeType", "BUILD_GENERAL1_SMALL").put("environmentType", "LINUX_CONTAINER")
                .put("image", "cairn:latest").put("roleArn", "arn:aws:iam::1:role/t").put("approvalTimeoutSeconds", approvalTimeout);
        return stage;
    }

    LocalExecutions start() throws IOException {
        Map<String, TaskIntegration> integrations = new HashMap<>();
        integrations.put(LAMBDA, this::lambda);
        integrations.put(LAMBDA_TOKEN, this::lambda);
        integrations.put(BUILD, this::build);
        executions = new LocalExecutions(reconcile(), integrations, Executions.Listener.NONE,
                ExecutionOptions.defaults().withMachineName("cairn-reconcile").withSleeper(sleeps::add));
        return executions;
    }

    static JsonNode input() {
        return JSON.createObjectNode().put("infrastructure", "demo").put("action", "apply").put("commit", "abc123")
                .put("ref", "refs/heads/main").put("trigger", "push").put("stages", "");
    }

    @AfterEach
    void close() {
        if (executions != null) executions.close();
    }

    @Test
    void anApprovedRunGoesThroughEveryStateToSucceeded() throws Exception {
        start();
        executions.start("run-1", input());
        String token = awaitToken();
        executions.tokens().succeed(token, JSON.createObjectNode().put("approvedBy", "U1"));

        Executions.Execution done = executions.await("run-1", Duration.ofSeconds(20));

        assertThat(done.status()).isEqualTo(Executions.Status.SUCCEEDED);
        assertThat(done.id()).isEqualTo("arn:aws:states:local:000000000000:execution:cairn-reconcile:run-1");
        assertThat(done.output().orElseThrow().at("/finish/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(done.output().orElseThrow().at("/run/runId").asText()).isEqualTo("run-1");
        assertThat(calls.get(0).get("executionArn").asText()).isEqualTo(done.id());
        assertThat(approvals.get("app").get("taskToken").asText()).isEqualTo(token);
        List<String> tasks = calls.stream().map(c -> c.get("task").asText() + (c.has("stage") ? ":" + c.get("stage").asText() : "")).toList();
        assertThat(tasks).containsExactlyInAnyOrder("prepare", "next", "render:network", "render:network", "render:app",
                "record:network", "planned:app", "approve:app", "record:app", "next", "finish");
        // the throttled render was retried once, after a jittered delay of at most IntervalSeconds (2 s)
        assertThat(sleeps).hasSize(1);
        assertThat(sleeps.get(0)).isBetween(Duration.ZERO, Duration.ofSeconds(2));
        // one planApply build for network; plan then apply for app
        List<String> steps = builds.stream().map(b -> b.at("/EnvironmentVariablesOverride/2/Value").asText() + ":"
                + b.at("/EnvironmentVariablesOverride/3/Value").asText()).toList();
        assertThat(steps).containsExactlyInAnyOrder("network:planApply", "app:plan", "app:apply");
        assertThat(builds.get(0).get("ProjectName").asText()).isEqualTo("cairn-stage");
        assertThat(executions.tokens().pending()).isEmpty();

        List<String> types = executions.history("run-1").stream().map(Executions.HistoryEvent::type).toList();
        assertThat(types.get(0)).isEqualTo("ExecutionStarted");
        assertThat(types.get(types.size() - 1)).isEqualTo("ExecutionSucceeded");
        assertThat(types).contains("TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskFailed",
                "TaskSubmitted", "TaskStateExited", "ChoiceStateEntered", "MapStateEntered", "MapStateStarted",
                "MapIterationStarted", "MapIterationSucceeded", "MapStateSucceeded", "SucceedStateEntered");
        assertThat(executions.history("run-1")).anySatisfy(e -> assertThat(e.state()).isEqualTo("Stages[1]/Approve"));
        // the token is not written to the history
        assertThat(executions.history("run-1").toString()).doesNotContain(token);
    }

    @Test
    void aRejectionIsCaughtAndRecordedAsNotApproved() throws Exception {
        start();
        executions.start("run-2", input());
        executions.tokens().fail(awaitToken(), "Rejected", "rejected by U2");

        Executions.Execution done = executions.await("run-2", Duration.ofSeconds(20));

        assertThat(done.status()).isEqualTo(Executions.Status.FAILED);
        assertThat(done.error()).contains("RunFailed");
        JsonNode notApproved = calls.stream().filter(c -> c.get("task").asText().equals("recordFailure")).findFirst().orElseThrow();
        assertThat(notApproved.get("notApproved").asBoolean()).isTrue();
        assertThat(notApproved.get("error")).isEqualTo(JSON.createObjectNode().put("Error", "Rejected").put("Cause", "rejected by U2"));
        assertThat(builds).hasSize(2); // network planApply, app plan; no apply
    }

    @Test
    void anUnansweredApprovalTimesOutAfterTimeoutSecondsPath() throws Exception {
        start();
        approvalTimeout = 1; // the stage's approvalTimeoutSeconds, read by TimeoutSecondsPath
        executions.start("run-3", input());
        Executions.Execution done = executions.await("run-3", Duration.ofSeconds(20));

        assertThat(done.status()).isEqualTo(Executions.Status.FAILED);
        JsonNode notApproved = calls.stream().filter(c -> c.get("task").asText().equals("recordFailure")).findFirst().orElseThrow();
        assertThat(notApproved.at("/error/Error").asText()).isEqualTo("States.Timeout");
        assertThat(executions.history("run-3")).anySatisfy(e -> assertThat(e.type()).isEqualTo("TaskTimedOut"));
        assertThat(executions.tokens().pending()).isEmpty();
    }

    int approvalTimeout = 3600;

    @Test
    void startIsIdempotentByNameAndStopAbortsAWaitingTask() throws Exception {
        start();
        Executions.Execution first = executions.start("run-4", input());
        String token = awaitToken();
        Executions.Execution again = executions.start("run-4", JSON.createObjectNode().put("other", true));
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.input()).isEqualTo(input());
        assertThat(executions.list()).hasSize(1);

        executions.stop("run-4", "Cairn.Cancelled", "cancelled by U3");
        Executions.Execution done = executions.await("run-4", Duration.ofSeconds(10));

        assertThat(done.status()).isEqualTo(Executions.Status.ABORTED);
        assertThat(done.error()).contains("Cairn.Cancelled");
        assertThat(done.cause()).contains("cancelled by U3");
        assertThat(executions.tokens().pending()).doesNotContain(token);
        List<String> types = executions.history("run-4").stream().map(Executions.HistoryEvent::type).toList();
        assertThat(types).contains("MapIterationAborted", "MapStateAborted").last().isEqualTo("ExecutionAborted");
    }

    String awaitToken() throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            var pending = new ArrayList<>(executions.tokens().pending());
            if (!pending.isEmpty()) return pending.get(0);
            Thread.sleep(50);
        }
        throw new AssertionError("no task token was issued within 10 s; history: " + executions.list());
    }
}
