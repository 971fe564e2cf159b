package dev.cairn.cli.serve;

import dev.cairn.reconciler.launch.RunLauncher;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.statemachine.ExecutionOptions;
import dev.cairn.statemachine.Executions;
import dev.cairn.statemachine.LocalExecutions;
import dev.cairn.statemachine.StateMachine;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The launcher the webhook and the Slack app use under cairn serve, on the real local executor. */
class ServeLauncherTest {
    /** Waits long enough to be cancelled, then passes its input through. */
    static final String WAITING = """
            {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 30, "End": true}}}
            """;

    @Test
    void aRunIsOneExecutionPerNameWithSfnsInputAndCancelStopsIt() throws Exception {
        try (var executions = new LocalExecutions(StateMachine.parse(WAITING, "waiting.asl.json"), Map.of(), Executions.Listener.NONE,
                ExecutionOptions.defaults().withMachineName("cairn-local-reconcile"))) {
            var launcher = new ExecutorRunLauncher(executions);
            var request = new RunLauncher.RunRequest("prod-plan-abc-123", "prod", RunAction.PLAN, "a".repeat(40), "refs/heads/main",
                    "slack:U0PLATFORM", List.of("network", "domain"));
            var first = launcher.launch(request);
            assertThat(first.alreadyStarted()).isFalse();
            assertThat(first.executionId()).isEqualTo("arn:aws:states:local:000000000000:execution:cairn-local-reconcile:prod-plan-abc-123");
            var again = launcher.launch(request);
            assertThat(again.alreadyStarted()).isTrue();
            assertThat(again.executionId()).isEqualTo(first.executionId());
            assertThat(executions.list()).hasSize(1);

            var input = executions.describe(request.name()).orElseThrow().input();
            assertThat(input.path("infrastructure").asText()).isEqualTo("prod");
            assertThat(input.path("action").asText()).isEqualTo("PLAN");
            assertThat(input.path("commit").asText()).isEqualTo("a".repeat(40));
            assertThat(input.path("ref").asText()).isEqualTo("refs/heads/main");
            assertThat(input.path("trigger").asText()).isEqualTo("slack:U0PLATFORM");
            assertThat(input.path("name").asText()).isEqualTo(request.name());
            assertThat(input.path("stages").asText()).isEqualTo("network,domain");

            assertThat(launcher.cancel(request.name(), "slack:U0PLATFORM cancelled it")).isTrue();
            var stopped = executions.await(request.name(), Duration.ofSeconds(10));
            assertThat(stopped.status()).isEqualTo(Executions.Status.ABORTED);
            assertThat(stopped.cause()).contains("slack:U0PLATFORM cancelled it");
            assertThat(launcher.cancel(request.name(), "again")).as("no longer running").isFalse();
            assertThat(launcher.cancel("never-started", "x")).isFalse();

            var everyStage = launcher.launch(new RunLauncher.RunRequest("dev-apply-abc-456", "dev", RunAction.APPLY, "b".repeat(40),
                    "refs/heads/main", "github:push 1"));
            assertThat(executions.describe(everyStage.name()).orElseThrow().input().path("stages").asText()).as("always present").isEmpty();
        }
    }
}
