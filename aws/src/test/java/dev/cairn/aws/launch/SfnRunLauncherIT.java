package dev.cairn.aws.launch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.aws.testing.AwsEmulator;
import dev.cairn.reconciler.launch.ExecutionNames;
import dev.cairn.reconciler.launch.RunLauncher.RunRequest;
import dev.cairn.reconciler.run.RunAction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Step Functions launcher against moto's Step Functions, on a trivial Pass state machine. */
class SfnRunLauncherIT {
    @TempDir
    static Path tmp;
    static AwsEmulator moto;
    static SfnClient sfn;
    static String stateMachineArn;

    @BeforeAll
    static void start() throws Exception {
        moto = AwsEmulator.start(tmp.resolve("moto.log"), false);
        sfn = SfnClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        stateMachineArn = sfn.createStateMachine(b -> b.name("cairn-reconcile-test")
                .roleArn("arn:aws:iam::123456789012:role/cairn-test")
                .definition("{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Pass\",\"End\":true}}}")).stateMachineArn();
    }

    @AfterAll
    static void stop() {
        if (sfn != null) sfn.close();
        if (moto != null) moto.close();
    }

    private static RunRequest request(String infra, String commit, String delivery) {
        return new RunRequest(ExecutionNames.of(infra, RunAction.APPLY, commit, "push"), infra, RunAction.APPLY, commit,
                "refs/heads/main", "github:push " + delivery);
    }

    @Test
    void startsOneExecutionWithTheRunAsInputAndReturnsItWhenAskedAgain() throws Exception {
        var launcher = new SfnRunLauncher(sfn, stateMachineArn);
        var commit = "1111111111111111111111111111111111111111";
        var first = launcher.launch(request("dev", commit, "d-1"));
        assertThat(first.alreadyStarted()).isFalse();
        assertThat(first.executionId()).isEqualTo(launcher.executionArn(first.name())).endsWith(":" + first.name());

        var input = new ObjectMapper().readValue(sfn.describeExecution(b -> b.executionArn(first.executionId())).input(), Map.class);
        assertThat(input).containsEntry("infrastructure", "dev").containsEntry("action", "APPLY").containsEntry("commit", commit)
                .containsEntry("ref", "refs/heads/main").containsEntry("trigger", "github:push d-1").containsEntry("name", first.name());

        // a redelivery (another delivery id, so another input) maps to the same name: nothing new starts
        var again = launcher.launch(request("dev", commit, "d-2"));
        assertThat(again.alreadyStarted()).isTrue();
        assertThat(again.executionId()).isEqualTo(first.executionId());
        assertThat(executionsNamed(first.name())).isEqualTo(1);
    }

    @Test
    void concurrentLaunchesOfOneNameLeaveOneExecution() throws Exception {
        var launcher = new SfnRunLauncher(sfn, stateMachineArn);
        var commit = "2222222222222222222222222222222222222222";
        var pool = Executors.newFixedThreadPool(4);
        try {
            var futures = new ArrayList<Future<dev.cairn.reconciler.launch.RunLauncher.Launched>>();
            for (int i = 0; i < 4; i++) {
                var delivery = "c-" + i;
                futures.add(pool.submit((Callable<dev.cairn.reconciler.launch.RunLauncher.Launched>) () -> launcher.launch(request("prod", commit, delivery))));
            }
            var arns = new java.util.HashSet<String>();
            int fresh = 0;
            for (var f : futures) {
                var launched = f.get();
                arns.add(launched.executionId());
                if (!launched.alreadyStarted()) fresh++;
            }
            assertThat(arns).hasSize(1);
            assertThat(fresh).isEqualTo(1);
            assertThat(executionsNamed(ExecutionNames.of("prod", RunAction.APPLY, commit, "push"))).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theStagesGoIntoTheInputCommaJoinedAndEmptyMeansEveryStage() throws Exception {
        var launcher = new SfnRunLauncher(sfn, stateMachineArn);
        var commit = "3333333333333333333333333333333333333333";
        var limited = new RunRequest(ExecutionNames.of("dev", RunAction.PLAN, commit, "slack:T1", java.util.List.of("network", "domain")), "dev",
                RunAction.PLAN, commit, "refs/heads/main", "slack:U1", java.util.List.of("network", "domain"));
        var every = request("dev", commit, "d-3");
        var limitedInput = new ObjectMapper().readValue(sfn.describeExecution(b -> b.executionArn(launcher.launch(limited).executionId())).input(), Map.class);
        var everyInput = new ObjectMapper().readValue(sfn.describeExecution(b -> b.executionArn(launcher.launch(every).executionId())).input(), Map.class);
        assertThat(limitedInput).containsEntry("stages", "network,domain");
        assertThat(everyInput).as("the state machine reads $.stages: always present").containsEntry("stages", "");
    }

    @Test
    void cancelStopsARunningExecutionWithErrorCancelledAndIsFalseWhenNothingRuns() throws Exception {
        var launcher = new SfnRunLauncher(sfn, stateMachineArn);
        var request = request("staging", "4444444444444444444444444444444444444444", "d-4");
        var arn = launcher.launch(request).executionId();
        assertThat(sfn.describeExecution(b -> b.executionArn(arn)).status()).isEqualTo(ExecutionStatus.RUNNING);

        assertThat(launcher.cancel(request.name(), "cancelled by slack:U1 (/infra cancel)")).isTrue();
        var stopped = sfn.describeExecution(b -> b.executionArn(arn));
        assertThat(stopped.status()).isEqualTo(ExecutionStatus.ABORTED);
        assertThat(launcher.cancel(request.name(), "again")).as("not running any more").isFalse();
        assertThat(launcher.cancel("staging-apply-never-started", "x")).as("no such execution").isFalse();
    }

    @Test
    void refusesAMissingOrMalformedStateMachineArn() {
        assertThatThrownBy(() -> SfnRunLauncher.fromEnv(sfn, Map.of()))
                .hasMessageContaining(SfnRunLauncher.STATE_MACHINE_ARN_ENV);
        assertThatThrownBy(() -> new SfnRunLauncher(sfn, "arn:aws:lambda:us-east-1:123456789012:function:x"))
                .hasMessageContaining("not a Step Functions state machine ARN");
    }

    private static long executionsNamed(String name) {
        return sfn.listExecutionsPaginator(b -> b.stateMachineArn(stateMachineArn)).executions().stream()
                .filter(e -> e.name().equals(name)).count();
    }
}
