package dev.cairn.functions.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.aws.testing.MotoServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The control flow of the real {@code statemachine/reconcile.asl.json} on moto's ASL interpreter.
 *
 * <p>moto cannot run Lambda functions (no Docker) nor CodeBuild {@code .sync}, so this test rewrites
 * every Task of the loaded definition, keeping its name, into:
 * <ol>
 *   <li>a Pass state named like the Task whose {@code Parameters} are the Task's own (the Lambda
 *       {@code Payload}, the CodeBuild overrides) with {@code ResultPath: null}: every path the Task
 *       reads must exist, and the history shows what the Task would have been sent;</li>
 *   <li>then the scripted result: a Pass putting the result at the Task's {@code ResultPath} (the
 *       shape after its {@code ResultSelector}), or, where the scenario makes the Task fail for one
 *       stage, a Choice on the stage name leading to a Parallel state around a Fail state with the
 *       scripted error, carrying the Task's own {@code Catch} list;</li>
 *   <li>for the scheduler step, whose result changes from call to call, a counter kept in the
 *       execution data picks the scripted result of each call.</li>
 * </ol>
 * Everything else (Choice, Map with its ItemSelector and MaxConcurrencyPath, Catch, Succeed, Fail)
 * is the definition as deployed.
 */
class StateMachineFlowIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROLE = "arn:aws:iam::123456789012:role/cairn-reconcile-test";
    private static final AtomicInteger MACHINES = new AtomicInteger();

    @TempDir
    static Path tmp;
    static MotoServer moto;
    static SfnClient sfn;
    static ObjectNode definition;

    @BeforeAll
    static void start() throws Exception {
        definition = (ObjectNode) JSON.readTree(Files.readString(repoRoot().resolve("statemachine/reconcile.asl.json")));
        moto = MotoServer.start(tmp.resolve("moto.log"));
        sfn = SfnClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    @AfterAll
    static void stop() {
        if (sfn != null) sfn.close();
        if (moto != null) moto.close();
    }

    /** moto 5.2.1 can fail a second StartExecution with HTTP 500: a fresh emulator state per scenario. */
    @BeforeEach
    void freshEmulator() throws Exception {
        post("/moto-api/reset", "");
        post("/moto-api/config", "{\"stepfunctions\": {\"execute_state_machine\": true}}");
    }

    @Test
    void everyStageIsRecordedInDagOrderAndFinishIsReached() throws Exception {
        var scenario = new Scenario()
                .next(List.of(stage("backend", true)), false)
                .next(List.of(stage("network", false), stage("domain", false)), false)
                .next(List.of(stage("app_db", false)), false)
                .next(List.of(), true)
                .result("Planned", "{\"then\": \"apply\"}")
                .result("Finish", "{\"status\": \"SUCCEEDED\"}");

        var run = run(scenario);

        assertThat(run.status).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(run.stagesEntering("Record")).containsExactlyInAnyOrder("backend", "network", "domain", "app_db");
        assertThat(run.stagesEntering("PlanApply")).containsExactly("backend");
        assertThat(run.stagesEntering("Plan")).containsExactlyInAnyOrder("network", "domain", "app_db");
        assertThat(run.stagesEntering("Apply")).containsExactlyInAnyOrder("network", "domain", "app_db");
        assertThat(run.stagesEntering("Approve")).isEmpty();
        assertThat(run.stagesEntering("RecordFailure")).isEmpty();
        assertThat(run.entered("NextStages")).isEqualTo(4);
        assertThat(run.entered("Finish")).isEqualTo(1);
        assertThat(run.entered("Succeeded")).isEqualTo(1);
        // the builds are told which run, stage and step, with the compute the scheduler chose
        var plan = run.input("Plan", "network");
        assertThat(plan.at("/stage/computeType").asText()).isEqualTo("BUILD_LAMBDA_2GB");
        // the Lambda payloads carry ids only
        var record = run.input("Record", "domain");
        assertThat(record.at("/runId").asText()).isEqualTo("20261201T220000Z-abc123");
        assertThat(record.at("/infrastructure").asText()).isEqualTo("dev");
    }

    @Test
    void aFailedMiddleStageIsRecordedItsDependentsAreNotStartedAndFinishReleasesTheLock() throws Exception {
        // the scheduler (scripted here) skips app_db, which depends on the failed network stage
        var scenario = new Scenario()
                .next(List.of(stage("backend", false)), false)
                .next(List.of(stage("network", false), stage("domain", false)), false)
                .next(List.of(), true)
                .result("Planned", "{\"then\": \"apply\"}")
                .fail("Plan", "network", "BuildFailed", "Build failed: terraform plan exited with 1")
                .result("Finish", "{\"status\": \"FAILED\"}");

        var run = run(scenario);

        assertThat(run.status).isEqualTo(ExecutionStatus.FAILED);
        assertThat(run.stagesEntering("RecordFailure")).containsExactly("network");
        assertThat(run.input("RecordFailure", "network").at("/error/Error").asText()).isEqualTo("BuildFailed");
        assertThat(run.stagesEntering("Record")).containsExactlyInAnyOrder("backend", "domain");
        assertThat(run.stagesEntering("Apply")).containsExactlyInAnyOrder("backend", "domain");
        assertThat(run.stagesEntering("Render")).doesNotContain("app_db");
        assertThat(run.entered("Finish")).as("Finish releases the lock").isEqualTo(1);
        assertThat(run.entered("RunFailed")).isEqualTo(1);
    }

    @Test
    void aRejectedApprovalRecordsTheStageAsNotApprovedAndAppliesNothing() throws Exception {
        // the approver's answer arrives as the resumer sends it: SendTaskFailure with error Rejected
        var run = run(approvalScenario(86400), token -> sfn.sendTaskFailure(b -> b.taskToken(token).error("Rejected")
                .cause("rejected by U0PLATFORM")));

        assertThat(run.stagesEntering("Approve")).containsExactly("network");
        assertThat(run.stagesEntering("NotApproved")).containsExactly("network");
        assertThat(run.input("NotApproved", "network").at("/error/Error").asText()).isEqualTo("Rejected");
        assertThat(run.stagesEntering("Apply")).isEmpty();
        assertThat(run.stagesEntering("Record")).isEmpty();
        assertThat(run.stagesEntering("RecordFailure")).isEmpty();
        assertThat(run.entered("Finish")).isEqualTo(1);
    }

    @Test
    void anApprovalThatTimesOutCountsAsNotApproved() throws Exception {
        // nobody answers: the waiting task's own TimeoutSecondsPath (1 s here) ends it with States.Timeout
        var run = run(approvalScenario(1), token -> { });

        assertThat(run.stagesEntering("NotApproved")).containsExactly("network");
        assertThat(run.input("NotApproved", "network").at("/error/Error").asText()).isEqualTo("States.Timeout");
        assertThat(run.stagesEntering("Apply")).isEmpty();
        assertThat(run.entered("Finish")).isEqualTo(1);
        assertThat(run.status).isEqualTo(ExecutionStatus.FAILED);
    }

    @Test
    void aRefusedPrepareGoesStraightToFinish() throws Exception {
        // the lock is held by another run: Prepare fails, nothing is scheduled, Finish (which releases
        // only a lock this execution holds) still runs
        var scenario = new Scenario()
                .failAlways("Prepare", "LockedException", "infrastructure `dev` is locked by run X")
                .result("Finish", "{\"status\": \"FAILED\"}");

        var run = run(scenario);

        assertThat(run.entered("NextStages")).isZero();
        assertThat(run.entered("Finish")).isEqualTo(1);
        assertThat(run.status).isEqualTo(ExecutionStatus.FAILED);
    }

    /** Approve really waits for a task token (moto runs EventBridge PutEvents with .waitForTaskToken, not Lambda). */
    private static Scenario approvalScenario(int timeoutSeconds) {
        var network = stage("network", false).put("approvalTimeoutSeconds", timeoutSeconds);
        return new Scenario()
                .next(List.of(network), false)
                .next(List.of(), true)
                .result("Planned", "{\"then\": \"approve\"}")
                .waitsForToken("Approve")
                .result("Finish", "{\"status\": \"FAILED\"}");
    }

    // ------------------------------------------------------------------ scenarios

    private static ObjectNode stage(String name, boolean planApply) {
        var stage = JSON.createObjectNode();
        stage.put("name", name);
        stage.put("planApply", planApply);
        stage.put("planStep", "plan");
        stage.put("computeType", "BUILD_LAMBDA_2GB");
        stage.put("environmentType", "LINUX_LAMBDA_CONTAINER");
        stage.put("image", "aws/codebuild/amazonlinux-x86_64-lambda-standard:corretto21");
        stage.put("roleArn", "");
        stage.put("approvalTimeoutSeconds", 86400);
        return stage;
    }

    /** Scripted results: per Task, its result; per (Task, stage), an error; the scheduler's result per call. */
    static final class Scenario {
        final ArrayNode next = JSON.createArrayNode();
        final Map<String, JsonNode> results = new LinkedHashMap<>();
        final Map<String, Map<String, String[]>> failures = new LinkedHashMap<>();
        final Map<String, String[]> alwaysFails = new LinkedHashMap<>();
        final java.util.Set<String> waiting = new java.util.HashSet<>();

        Scenario() {
            result("Prepare", "{\"runId\": \"20261201T220000Z-abc123\", \"parallelism\": 2}");
        }

        Scenario next(List<ObjectNode> start, boolean done) {
            var result = JSON.createObjectNode();
            result.set("start", JSON.valueToTree(start));
            result.put("done", done);
            next.add(result);
            return this;
        }

        Scenario result(String task, String json) {
            try {
                results.put(task, JSON.readTree(json));
            } catch (Exception e) {
                throw new IllegalArgumentException(e);
            }
            return this;
        }

        Scenario fail(String task, String stage, String error, String cause) {
            failures.computeIfAbsent(task, t -> new LinkedHashMap<>()).put(stage, new String[]{error, cause});
            return this;
        }

        /** The Task stays a waiting Task, on a service moto runs: EventBridge PutEvents with .waitForTaskToken. */
        Scenario waitsForToken(String task) {
            waiting.add(task);
            return this;
        }

        Scenario failAlways(String task, String error, String cause) {
            alwaysFails.put(task, new String[]{error, cause});
            return this;
        }
    }

    // ------------------------------------------------------------------ the transformation

    /** The definition with every Task swapped as the class comment says. */
    static ObjectNode swapped(ObjectNode definition, Scenario scenario) {
        var copy = definition.deepCopy();
        swapTasks((ObjectNode) copy.get("States"), scenario);
        return copy;
    }

    private static void swapTasks(ObjectNode states, Scenario scenario) {
        var names = new ArrayList<String>();
        states.fieldNames().forEachRemaining(names::add);
        for (var name : names) {
            var state = (ObjectNode) states.get(name);
            if (state.has("ItemProcessor")) swapTasks((ObjectNode) state.at("/ItemProcessor/States"), scenario);
            if (!"Task".equals(state.path("Type").asText())) continue;
            if (scenario.waiting.contains(name)) {
                state.put("Resource", "arn:aws:states:::events:putEvents.waitForTaskToken");
                var detail = state.at("/Parameters/Payload").deepCopy();
                var entry = JSON.createObjectNode().put("Source", "cairn.test").put("DetailType", "approval requested");
                entry.set("Detail", detail);
                var params = JSON.createObjectNode();
                params.putArray("Entries").add(entry);
                state.set("Parameters", params);
                state.remove("Retry");
                continue;
            }
            var replaced = new LinkedHashMap<String, ObjectNode>();
            var params = state.path("Parameters");
            var sent = params.has("Payload") ? params.get("Payload") : params;
            var args = JSON.createObjectNode().put("Type", "Pass").put("Comment", "the Task's own parameters");
            args.set("Parameters", withoutTaskToken(sent.deepCopy()));
            args.putNull("ResultPath");
            args.put("Next", name + "__result");
            replaced.put(name, args);
            if (name.equals("NextStages")) {
                replaced.putAll(scriptedCalls(name, state));
            } else if (scenario.alwaysFails.containsKey(name)) {
                replaced.put(name + "__result", failing(state, scenario.alwaysFails.get(name)));
            } else if (scenario.failures.containsKey(name)) {
                var choice = JSON.createObjectNode().put("Type", "Choice");
                var choices = choice.putArray("Choices");
                scenario.failures.get(name).forEach((stage, error) -> {
                    var target = name + "__fails__" + stage;
                    choices.addObject().put("Variable", "$.stage.name").put("StringEquals", stage).put("Next", target);
                    replaced.put(target, failing(state, error));
                });
                choice.put("Default", name + "__ok");
                replaced.put(name + "__result", choice);
                replaced.put(name + "__ok", succeeding(state, scenario.results.get(name)));
            } else {
                replaced.put(name + "__result", succeeding(state, scenario.results.get(name)));
            }
            states.remove(name);
            replaced.forEach(states::set);
        }
    }

    /** A Pass doing what the Task would: its scripted result at the Task's ResultPath, then its transition. */
    private static ObjectNode succeeding(ObjectNode task, JsonNode result) {
        var pass = JSON.createObjectNode().put("Type", "Pass");
        pass.set("Result", result == null ? JSON.createObjectNode() : result);
        pass.set("ResultPath", task.get("ResultPath"));
        return transition(task, pass);
    }

    /** A Parallel whose only branch fails with {@code error}: the Task's Catch list handles it as it would the Task's. */
    private static ObjectNode failing(ObjectNode task, String[] error) {
        var parallel = JSON.createObjectNode().put("Type", "Parallel");
        var branch = parallel.putArray("Branches").addObject().put("StartAt", "Fails");
        branch.putObject("States").putObject("Fails").put("Type", "Fail").put("Error", error[0]).put("Cause", error[1]);
        if (task.has("Catch")) parallel.set("Catch", task.get("Catch"));
        parallel.set("ResultPath", task.get("ResultPath"));
        return transition(task, parallel);
    }

    /**
     * The scheduler's result per call: a counter and the scripted results ride in the execution data
     * ({@code $.__next}), outside the definition's own fields.
     */
    private static Map<String, ObjectNode> scriptedCalls(String name, ObjectNode task) {
        var out = new LinkedHashMap<String, ObjectNode>();
        var count = JSON.createObjectNode().put("Type", "Pass");
        count.putObject("Parameters").put("n.$", "States.MathAdd($.__next.n, 1)").put("results.$", "$.__next.results");
        count.put("ResultPath", "$.__next").put("Next", name + "__pick");
        out.put(name + "__result", count);
        var pick = JSON.createObjectNode().put("Type", "Pass");
        pick.putObject("Parameters").put("v.$", "States.ArrayGetItem($.__next.results, $.__next.n)");
        pick.put("ResultPath", "$.__pick").put("Next", name + "__place");
        out.put(name + "__pick", pick);
        var place = JSON.createObjectNode().put("Type", "Pass").put("InputPath", "$.__pick.v");
        place.set("ResultPath", task.get("ResultPath"));
        out.put(name + "__place", transition(task, place));
        return out;
    }

    private static ObjectNode transition(ObjectNode task, ObjectNode state) {
        if (task.path("End").asBoolean(false)) state.put("End", true);
        else state.set("Next", task.get("Next"));
        return state;
    }

    /** {@code $$.Task.Token} exists only in a Task: a Pass gets a stand-in value. */
    private static JsonNode withoutTaskToken(JsonNode node) {
        if (node instanceof ObjectNode object) {
            var names = new ArrayList<String>();
            object.fieldNames().forEachRemaining(names::add);
            for (var field : names) {
                var value = object.get(field);
                if (value.isTextual() && value.asText().startsWith("$$.Task.Token")) {
                    object.remove(field);
                    object.put(field.substring(0, field.length() - 2), "task-token-stand-in");
                } else {
                    withoutTaskToken(value);
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(StateMachineFlowIT::withoutTaskToken);
        }
        return node;
    }

    // ------------------------------------------------------------------ running it

    record Execution(ExecutionStatus status, List<HistoryEvent> events) {

        /** How often a state of that name was entered. */
        long entered(String state) {
            return events.stream().filter(e -> e.stateEnteredEventDetails() != null)
                    .filter(e -> state.equals(e.stateEnteredEventDetails().name())).count();
        }

        /** The stages ({@code $.stage.name}) for which the state was entered. */
        List<String> stagesEntering(String state) {
            return events.stream().filter(e -> e.stateEnteredEventDetails() != null)
                    .filter(e -> state.equals(e.stateEnteredEventDetails().name()))
                    .map(e -> read(e.stateEnteredEventDetails().input()).at("/stage/name").asText(null))
                    .filter(Objects::nonNull).toList();
        }

        /** The input of the state entered for {@code stage}. */
        JsonNode input(String state, String stage) {
            return events.stream().filter(e -> e.stateEnteredEventDetails() != null)
                    .filter(e -> state.equals(e.stateEnteredEventDetails().name()))
                    .map(e -> read(e.stateEnteredEventDetails().input()))
                    .filter(i -> stage.equals(i.at("/stage/name").asText(null)))
                    .findFirst().orElseThrow(() -> new AssertionError(state + " was not entered for " + stage));
        }

        private static JsonNode read(String json) {
            try {
                return JSON.readTree(json);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static Execution run(Scenario scenario) throws Exception {
        return run(scenario, token -> { });
    }

    /** Runs the scenario; {@code answer} gets the task token of the first waiting task, if one waits. */
    private static Execution run(Scenario scenario, java.util.function.Consumer<String> answer) throws Exception {
        var machine = swapped(definition, scenario).toString()
                .replace("${TaskFunctionArn}", "arn:aws:lambda:us-east-1:123456789012:function:cairn-reconcile-task")
                .replace("${BuildProjectName}", "cairn-stage");
        var arn = sfn.createStateMachine(b -> b.name("cairn-reconcile-" + MACHINES.incrementAndGet()).roleArn(ROLE)
                .definition(machine)).stateMachineArn();
        var input = JSON.createObjectNode().put("infrastructure", "dev").put("action", "APPLY")
                .put("commit", "0123456789abcdef0123456789abcdef01234567").put("ref", "refs/heads/main")
                .put("trigger", "github:push d-1").put("name", "dev-apply-0123456").put("stages", "");
        input.putObject("__next").put("n", -1).set("results", scenario.next);
        var execution = sfn.startExecution(b -> b.stateMachineArn(arn).name("run-" + MACHINES.get()).input(input.toString()))
                .executionArn();
        var deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        ExecutionStatus status;
        boolean answered = false;
        do {
            Thread.sleep(100);
            status = sfn.describeExecution(b -> b.executionArn(execution)).status();
            if (!answered) {
                var token = waitingToken(execution);
                if (token != null) {
                    answer.accept(token);
                    answered = true;
                }
            }
        } while (status == ExecutionStatus.RUNNING && System.nanoTime() < deadline);
        assertThat(status).as("execution ended within 60 s").isNotEqualTo(ExecutionStatus.RUNNING);
        var events = new ArrayList<HistoryEvent>();
        String token = null;
        do {
            var from = token;
            var page = sfn.getExecutionHistory(b -> b.executionArn(execution).maxResults(1000).nextToken(from));
            events.addAll(page.events());
            token = page.nextToken();
        } while (token != null);
        return new Execution(status, events);
    }

    /** The task token a waiting task was scheduled with (from its TaskScheduled event), or null. */
    private static String waitingToken(String execution) {
        for (var event : sfn.getExecutionHistory(b -> b.executionArn(execution).maxResults(1000)).events()) {
            var scheduled = event.taskScheduledEventDetails();
            if (scheduled == null || !scheduled.resource().contains("waitForTaskToken")) continue;
            var token = Execution.read(scheduled.parameters()).at("/Entries/0/Detail/taskToken").asText(null);
            if (token != null) return token;
        }
        return null;
    }

    private static void post(String path, String body) throws Exception {
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(moto.endpoint() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isLessThan(300);
    }

    static Path repoRoot() {
        var dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("statemachine/reconcile.asl.json"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("statemachine/reconcile.asl.json not found above " + Path.of("").toAbsolutePath());
        return dir;
    }
}
