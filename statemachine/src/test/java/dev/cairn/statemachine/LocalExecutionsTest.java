package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The executor's behaviour state by state: retry timing, error matching, timeouts, concurrency, stop, context. */
class LocalExecutionsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String R = "arn:aws:states:::lambda:invoke";
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    LocalExecutions executions;

    @AfterEach
    void close() {
        if (executions != null) executions.close();
    }

    Executions.Execution run(String definition, String input, TaskIntegration task, ExecutionOptions options) throws Exception {
        executions = new LocalExecutions(StateMachine.parse(definition, "test.asl.json"), task == null ? Map.of() : Map.of(R, task),
                Executions.Listener.NONE, options);
        executions.start("e1", JSON.readTree(input));
        return executions.await("e1", Duration.ofSeconds(20));
    }

    Executions.Execution run(String definition, String input, TaskIntegration task) throws Exception {
        return run(definition, input, task, ExecutionOptions.defaults().withSleeper(sleeps::add));
    }

    static String task(String extra) {
        return "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":\"" + R + "\"" + extra + "}"
                + (extra.contains("Caught") ? ",\"Caught\":{\"Type\":\"Pass\",\"End\":true}" : "") + "}}";
    }

    @Test
    void retriesWithBackoffCappedByMaxDelayThenCatches() throws Exception {
        List<Integer> retryCounts = new CopyOnWriteArrayList<>();
        Executions.Execution done = run(task("""
,
                "Parameters":{"attempt.$":"$$.State.RetryCount"},
                "Retry":[{"ErrorEquals":["Other"],"MaxAttempts":9},
                         {"ErrorEquals":["Boom"],"IntervalSeconds":2,"BackoffRate":2,"MaxDelaySeconds":5,"MaxAttempts":4}],
                "Catch":[{"ErrorEquals":["Boom"],"ResultPath":"$.error","Next":"Caught"}],"End":true"""), "{\"keep\":1}", call -> {
            retryCounts.add(call.parameters().get("attempt").intValue());
            throw new TaskFailure("Boom", "attempt " + call.parameters().get("attempt"));
        });

        assertThat(sleeps).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(5), Duration.ofSeconds(5));
        assertThat(retryCounts).containsExactly(0, 1, 2, 3, 4);
        assertThat(done.status()).isEqualTo(Executions.Status.SUCCEEDED);
        assertThat(done.output().orElseThrow().toString()).isEqualTo("{\"keep\":1,\"error\":{\"Error\":\"Boom\",\"Cause\":\"attempt 4\"}}");
    }

    @Test
    void fullJitterWaitsBetweenZeroAndTheBackoffDelay() throws Exception {
        run(task("""
,"Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":10,"MaxAttempts":20,"JitterStrategy":"FULL"}],"End":true"""),
                "{}", call -> {
                    throw new TaskFailure("Boom", "");
                }, ExecutionOptions.defaults().withSleeper(sleeps::add).withRandom(new Random(1)));
        assertThat(sleeps).hasSize(20);
        for (int i = 0; i < 20; i++) {
            assertThat(sleeps.get(i)).isBetween(Duration.ZERO, Duration.ofSeconds(10).multipliedBy(1L << i));
        }
        assertThat(sleeps).doesNotHaveDuplicates();
    }

    @Test
    void statesAllDoesNotCatchStatesRuntime() throws Exception {
        Executions.Execution done = run(task("""
,"Parameters":{"x.$":"$.missing"},
                "Retry":[{"ErrorEquals":["States.ALL"]}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}],"End":true"""),
                "{}", call -> JSON.createObjectNode());
        assertThat(done.status()).isEqualTo(Executions.Status.FAILED);
        assertThat(done.error()).contains("States.Runtime");
        assertThat(done.cause().orElseThrow()).contains("'$.missing'").contains("'x.$'");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void statesTaskFailedMatchesTaskErrorsButNotATimeout() throws Exception {
        Executions.Execution failed = run(task("""
,"Catch":[{"ErrorEquals":["States.TaskFailed"],"Next":"Caught"}],"End":true"""),
                "{}", call -> {
                    throw new IllegalStateException("handler bug");
                });
        assertThat(failed.status()).isEqualTo(Executions.Status.SUCCEEDED);
        assertThat(failed.output().orElseThrow().toString())
                .isEqualTo("{\"Error\":\"java.lang.IllegalStateException\",\"Cause\":\"handler bug\"}");
        executions.close();

        CountDownLatch interrupted = new CountDownLatch(1);
        Executions.Execution timedOut = run(task("""
,"TimeoutSeconds":1,"Catch":[{"ErrorEquals":["States.TaskFailed"],"Next":"Caught"}],"End":true"""),
                "{}", call -> {
                    try {
                        Thread.sleep(30_000);
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                    return null;
                });
        assertThat(timedOut.status()).isEqualTo(Executions.Status.FAILED);
        assertThat(timedOut.error()).contains("States.Timeout");
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).as("the timed-out task was interrupted").isTrue();
        assertThat(executions.history("e1")).extracting(Executions.HistoryEvent::type).contains("TaskTimedOut").last().isEqualTo("ExecutionFailed");
    }

    @Test
    void waitUsesTheInjectedClockForTimestamps() throws Exception {
        Instant now = Instant.parse("2026-12-02T01:00:00Z");
        String definition = """
                {"StartAt":"A","States":{
                  "A":{"Type":"Wait","Timestamp":"2026-12-02T01:01:30Z","Next":"B"},
                  "B":{"Type":"Wait","TimestampPath":"$.until","Next":"C"},
                  "C":{"Type":"Wait","SecondsPath":"$.s","Next":"D"},
                  "D":{"Type":"Wait","Timestamp":"2020-01-01T00:00:00Z","End":true}}}""";
        Executions.Execution done = run(definition, "{\"until\":\"2026-12-02T03:00:00+02:00\",\"s\":7}", null,
                ExecutionOptions.defaults().withSleeper(sleeps::add).withClock(Clock.fixed(now, ZoneOffset.UTC)));
        assertThat(done.status()).isEqualTo(Executions.Status.SUCCEEDED);
        assertThat(sleeps).containsExactly(Duration.ofSeconds(90), Duration.ZERO, Duration.ofSeconds(7), Duration.ZERO);
        assertThat(done.started()).isEqualTo(now);
    }

    @Test
    void maxConcurrencyBoundsTheMapsIterations() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        TaskIntegration slow = call -> {
            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
            Thread.sleep(100);
            running.decrementAndGet();
            return call.parameters();
        };
        String map = """
                {"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":%d,
                  "ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"%s","End":true}}},"End":true}}}""";
        Executions.Execution two = run(map.formatted(2, R), "{\"items\":[1,2,3,4,5,6]}", slow);
        assertThat(two.output().orElseThrow().toString()).isEqualTo("[1,2,3,4,5,6]");
        assertThat(peak.get()).isEqualTo(2);
        executions.close();

        peak.set(0);
        run(map.formatted(0, R), "{\"items\":[1,2,3,4,5,6]}", slow);
        assertThat(peak.get()).as("MaxConcurrency 0: no limit").isGreaterThan(2);
    }

    @Test
    void aFailedIterationAbortsTheOthers() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch slowStarted = new CountDownLatch(1);
        Executions.Execution done = run("""
                {"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$",
                  "ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"%s","End":true}}},"End":true}}}""".formatted(R),
                "[\"slow\",\"fail\"]", call -> {
                    if (call.parameters().asText().equals("fail")) {
                        slowStarted.await(5, TimeUnit.SECONDS);
                        throw new TaskFailure("Item.Failed", "second item");
                    }
                    slowStarted.countDown();
                    try {
                        Thread.sleep(30_000);
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                    return null;
                });
        assertThat(done.status()).isEqualTo(Executions.Status.FAILED);
        assertThat(done.error()).contains("Item.Failed");
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(executions.history("e1")).extracting(Executions.HistoryEvent::type)
                .contains("MapIterationFailed", "MapIterationAborted", "MapStateFailed");
        assertThat(executions.history("e1")).anySatisfy(e -> assertThat(e.state()).isEqualTo("M[1]/T"));
    }

    @Test
    void parallelBranchesRunAtOnce() throws Exception {
        CountDownLatch both = new CountDownLatch(2);
        Executions.Execution done = run("""
                {"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
                  {"StartAt":"A","States":{"A":{"Type":"Task","Resource":"%1$s","Parameters":{"b":"a"},"End":true}}},
                  {"StartAt":"B","States":{"B":{"Type":"Task","Resource":"%1$s","Parameters":{"b":"b"},"End":true}}}]}}}""".formatted(R),
                "{}", call -> {
                    both.countDown();
                    if (!both.await(5, TimeUnit.SECONDS)) throw new TaskFailure("NotParallel", "the other branch never started");
                    return call.parameters().get("b");
                });
        assertThat(done.output().orElseThrow().toString()).isEqualTo("[\"a\",\"b\"]");
    }

    @Test
    void theMachinesTimeoutSecondsEndsTheExecutionTimedOut() throws Exception {
        Executions.Execution done = run("{\"TimeoutSeconds\":1,\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":60,\"End\":true}}}",
                "{}", null, ExecutionOptions.defaults());
        assertThat(done.status()).isEqualTo(Executions.Status.TIMED_OUT);
        assertThat(done.error()).contains("States.Timeout");
        assertThat(executions.history("e1").getLast().type()).isEqualTo("ExecutionTimedOut");
    }

    @Test
    void theContextObjectDescribesTheExecutionAndTheState() throws Exception {
        Instant now = Instant.parse("2026-12-02T01:02:03.456789Z");
        Executions.Execution done = run("""
                {"StartAt":"Here","States":{"Here":{"Type":"Pass","End":true,"Parameters":{
                  "id.$":"$$.Execution.Id","name.$":"$$.Execution.Name","input.$":"$$.Execution.Input","start.$":"$$.Execution.StartTime",
                  "state.$":"$$.State.Name","entered.$":"$$.State.EnteredTime","machine.$":"$$.StateMachine.Name"}}}}""",
                "{\"a\":1}", null, ExecutionOptions.defaults().withMachineName("m1").withClock(Clock.fixed(now, ZoneOffset.UTC)));
        assertThat(done.output().orElseThrow()).isEqualTo(JSON.readTree("""
                {"id":"arn:aws:states:local:000000000000:execution:m1:e1","name":"e1","input":{"a":1},
                 "start":"2026-12-02T01:02:03.456Z","state":"Here","entered":"2026-12-02T01:02:03.456Z","machine":"m1"}"""));
    }

    @Test
    void historyReachesTheListenerInOrder() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        executions = new LocalExecutions(StateMachine.parse("{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Next\":\"F\"},"
                + "\"F\":{\"Type\":\"Fail\",\"Error\":\"E\",\"Cause\":\"C\"}}}", "t"), Map.of(),
                (execution, event) -> seen.add(event.id() + ":" + event.type() + ":" + event.state()), ExecutionOptions.defaults());
        executions.start("e1", JSON.createObjectNode());
        Executions.Execution done = executions.await("e1", Duration.ofSeconds(5));
        assertThat(done.status()).isEqualTo(Executions.Status.FAILED);
        assertThat(done.cause()).contains("C");
        assertThat(seen).containsExactly("1:ExecutionStarted:", "2:PassStateEntered:P", "3:PassStateExited:P",
                "4:FailStateEntered:F", "5:ExecutionFailed:");
        assertThat(executions.history("e1").get(4).detail().orElseThrow().toString()).isEqualTo("{\"error\":\"E\",\"cause\":\"C\"}");
    }

    @Test
    void stopInterruptsAWaitAndCloseStopsEverything() throws Exception {
        executions = new LocalExecutions(StateMachine.parse("{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":600,\"End\":true}}}", "t"),
                Map.of(), Executions.Listener.NONE, ExecutionOptions.defaults());
        executions.start("a", JSON.createObjectNode());
        executions.start("b", JSON.createObjectNode());
        executions.stop("a", "User.Stop", "by test");
        assertThat(executions.await("a", Duration.ofSeconds(5)).status()).isEqualTo(Executions.Status.ABORTED);
        assertThat(executions.describe("b").orElseThrow().status()).isEqualTo(Executions.Status.RUNNING);
        executions.close();
        Executions.Execution b = executions.describe("b").orElseThrow();
        assertThat(b.status()).isEqualTo(Executions.Status.ABORTED);
        assertThat(b.error()).contains("States.Aborted");
        assertThat(b.cause()).contains("shutdown");
        assertThatThrownBy(() -> executions.start("c", JSON.createObjectNode())).hasMessageContaining("closed");
    }

    @Test
    void stopInterruptsARunningTask() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        executions = new LocalExecutions(StateMachine.parse(task("""
                ,"End":true"""), "t"), Map.of(R, call -> {
                    started.countDown();
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                    return null;
                }), Executions.Listener.NONE, ExecutionOptions.defaults());
        executions.start("e1", JSON.createObjectNode());
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        executions.stop("e1", "Cairn.Stopped", "stopped by test");
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).as("the task's thread was interrupted").isTrue();
        Executions.Execution done = executions.await("e1", Duration.ofSeconds(5));
        assertThat(done.status()).isEqualTo(Executions.Status.ABORTED);
        assertThat(done.stopped()).isPresent();
        assertThat(executions.history("e1").getLast().detail().orElseThrow().toString())
                .isEqualTo("{\"error\":\"Cairn.Stopped\",\"cause\":\"stopped by test\"}");
    }

    @Test
    void tokensAreAnsweredOnceAndCheckedForShape() throws Exception {
        executions = new LocalExecutions(StateMachine.parse(task("""
,"End":true""").replace(R, R + ".waitForTaskToken"), "t"),
                Map.of(R + ".waitForTaskToken", call -> JSON.createObjectNode()), Executions.Listener.NONE, ExecutionOptions.defaults());
        executions.start("e1", JSON.createObjectNode());
        String token = null;
        for (int i = 0; i < 100 && token == null; i++) {
            token = executions.tokens().pending().stream().findFirst().orElse(null);
            Thread.sleep(20);
        }
        assertThat(token).matches("[A-Za-z0-9_-]{43}");
        executions.tokens().succeed(token, JSON.readTree("{\"ok\":true}"));
        String answered = token;
        assertThatThrownBy(() -> executions.tokens().fail(answered, "Late", "")).hasMessageStartingWith("TaskDoesNotExist");
        assertThatThrownBy(() -> executions.tokens().succeed("not a token!", JSON.createObjectNode())).hasMessageStartingWith("InvalidToken");
        assertThat(executions.await("e1", Duration.ofSeconds(5)).output().orElseThrow().toString()).isEqualTo("{\"ok\":true}");
    }

    @Test
    void executionNamesFollowStepFunctionsRules() {
        executions = new LocalExecutions(StateMachine.parse("{\"StartAt\":\"S\",\"States\":{\"S\":{\"Type\":\"Succeed\"}}}", "t"),
                Map.of(), Executions.Listener.NONE, ExecutionOptions.defaults());
        for (String bad : new String[] {"", "has space", "a/b", "x".repeat(81), "a:b"}) {
            assertThatThrownBy(() -> executions.start(bad, JSON.createObjectNode())).as(bad).hasMessageStartingWith("InvalidName");
        }
        assertThatThrownBy(() -> executions.history("nope")).hasMessageStartingWith("ExecutionDoesNotExist");
    }

}
