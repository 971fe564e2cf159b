package dev.cairn.reconciler.launch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.reconciler.run.RunAction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The local run launcher: a request recorded once with its stages, and a cancel that marks it. */
class QueuedRunLauncherTest {
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    Map<String, Object> record(String name) throws Exception {
        return new ObjectMapper().readValue(dir.resolve(name + ".json").toFile(), Map.class);
    }

    @Test
    void aRequestIsRecordedOnceWithItsStagesAndACancelMarksIt() throws Exception {
        var launcher = new QueuedRunLauncher(dir);
        var name = ExecutionNames.of("prod", RunAction.APPLY, COMMIT, "slack:T1", List.of("network", "domain"));
        var request = new RunLauncher.RunRequest(name, "prod", RunAction.APPLY, COMMIT, "refs/heads/main", "slack:U1", List.of("network", "domain"));
        assertThat(launcher.launch(request).alreadyStarted()).isFalse();
        assertThat(launcher.launch(request).alreadyStarted()).isTrue();
        assertThat(record(name)).containsEntry("stages", "network,domain").containsEntry("status", "recorded");

        assertThat(launcher.cancel(name, "cancelled by slack:U2")).isTrue();
        assertThat(record(name)).containsEntry("status", "cancelled").containsEntry("note", "cancelled by slack:U2");
        assertThat(launcher.cancel(name, "again")).as("not running any more").isFalse();
        assertThat(launcher.cancel("dev-apply-unknown", "x")).as("unknown").isFalse();
        assertThatThrownBy(() -> launcher.cancel("../escape", "x")).hasMessageContaining("not a run name");

        var all = new RunLauncher.RunRequest(ExecutionNames.of("prod", RunAction.APPLY, COMMIT, "push"), "prod", RunAction.APPLY, COMMIT,
                "refs/heads/main", "github:push d-1");
        launcher.launch(all);
        assertThat(record(all.name())).doesNotContainKey("stages");
    }

    @Test
    void aRequestAnExecutorStartedIsMarkedCancellingForItToStop() throws Exception {
        var launcher = new QueuedRunLauncher(dir);
        var name = ExecutionNames.of("dev", RunAction.PLAN, COMMIT, "preview github acme/infra#7");
        launcher.launch(new RunLauncher.RunRequest(name, "dev", RunAction.PLAN, COMMIT, "refs/pull/7/head", "github:preview acme/infra#7 base x"));
        // what cairn serve's queue drain writes once it started the execution
        var file = dir.resolve(name + ".json");
        Files.writeString(file, Files.readString(file).replace("\"recorded\"", "\"" + QueuedRunLauncher.STARTED + "\""));

        assertThat(launcher.cancel(name, "superseded by the newer head abc of acme/infra#7")).isTrue();
        assertThat(record(name)).containsEntry("status", QueuedRunLauncher.CANCELLING)
                .containsEntry("note", "superseded by the newer head abc of acme/infra#7");
        assertThat(launcher.cancel(name, "again")).as("already being cancelled").isFalse();
    }

    @Test
    void theStageSetIsPartOfTheNameInAnyOrderAndEveryStageKeepsTheOldName() {
        var every = ExecutionNames.of("prod", RunAction.PLAN, COMMIT, "push");
        assertThat(ExecutionNames.of("prod", RunAction.PLAN, COMMIT, "push", List.of())).isEqualTo(every);
        var two = ExecutionNames.of("prod", RunAction.PLAN, COMMIT, "push", List.of("network", "domain"));
        assertThat(ExecutionNames.of("prod", RunAction.PLAN, COMMIT, "push", List.of("domain", "network"))).isEqualTo(two);
        assertThat(two).isNotEqualTo(every).isNotEqualTo(ExecutionNames.of("prod", RunAction.PLAN, COMMIT, "push", List.of("network")))
                .matches("[A-Za-z0-9_-]{1,80}");
    }
}
