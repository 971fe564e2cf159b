package dev.cairn.cli.serve;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.cairn.reconciler.bundle.AheadReport;
import dev.cairn.reconciler.bundle.BundleKeys;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StagePlanning;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.statemachine.Executions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deployed run's plan-ahead build under {@code cairn serve}, with real Terraform on the
 * quickstart's {@code dev} and the template's own definition: the first apply (nothing stored yet)
 * runs one build per stage; a no-change apply then runs exactly ONE build (the plan-ahead) and
 * records every stage no changes from it; a change to one stage's input builds that stage only;
 * a stage whose upstream outputs change between the plan-ahead and its turn gets a build of its
 * own, never the stale ahead plan. Builds are counted by the build logs the executor writes, one
 * per {@code startBuild.sync}.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlanAheadServeIT {
    @TempDir
    static Path tmp;
    ServedRepo repo;
    LocalServer server;
    Path state;
    String commit;

    @BeforeAll
    void serve() throws Exception {
        repo = new ServedRepo(tmp.resolve("infra"));
        ServeIT.copy(Path.of(System.getProperty("cairn.repoRoot")).resolve("examples/quickstart"), repo.dir);
        commit = repo.commit("quickstart");
        state = tmp.resolve("state");
        server = repo.serve(state);
    }

    @AfterAll
    void stop() {
        if (server != null) server.stop();
        if (repo != null) repo.close();
    }

    @Test
    @Order(1)
    void theFirstApplyHasNothingStoredToPlanAheadFromAndBuildsEachStage() throws Exception {
        long before = builds();
        var run = pushDev("db_size: micro", "db_size: tiny");
        assertThat(run.stages().values()).hasSize(6).allSatisfy(s -> assertThat(s.status()).as(s.stage()).isEqualTo(StageStatus.APPLIED));
        assertThat(builds() - before).as("one build per stage, no plan-ahead").isEqualTo(6);
        assertThat(run.stages().keySet()).allSatisfy(s -> assertThat(ahead(run, s)).as(s).isEmpty());
    }

    @Test
    @Order(2)
    void aNoChangeApplyRunsExactlyOneBuildAndRecordsEveryStageNoChanges() throws Exception {
        long before = builds();
        var input = JsonNodeFactory.instance.objectNode().put("infrastructure", "dev").put("action", "apply").put("commit", commit)
                .put("ref", "refs/heads/main").put("trigger", "slack:U0PLATFORM").put("stages", "");
        var execution = server.executions().start("dev-no-change", input);
        var ended = server.executions().await(execution.name(), ServeIT.RUN_LIMIT);
        assertThat(ended.status()).as(ended + "\n" + repo.log).isEqualTo(Executions.Status.SUCCEEDED);
        var run = latest();
        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(builds() - before).as("the plan-ahead build only").isEqualTo(1);
        assertThat(run.stages().values()).hasSize(6).allSatisfy(s -> {
            assertThat(s.status()).as(s.stage()).isEqualTo(StageStatus.NO_CHANGES);
            assertThat(s.planning()).as(s.stage()).isEqualTo(StagePlanning.SPECULATIVE);
            assertThat(s.plan().hasChanges()).isFalse();
            assertThat(s.timings().commands()).as(s.stage()).containsKeys("init", "plan");
            assertThat(s.timings().aheadMillis()).as("all of it done ahead").isEqualTo(s.timings().totalMillis()).isPositive();
        });
        var workspace = new Workspace(state);
        for (var stage : run.stages().keySet()) {
            assertThat(workspace.blobs().get(BundleKeys.result("dev", run.id(), stage))).as(stage + " had no build of its own").isEmpty();
            assertThat(ahead(run, stage).orElseThrow().status()).isEqualTo(StageStatus.NO_CHANGES);
        }
        assertThat(workspace.outputs().all("dev").get("network").runId()).as("outputs stay the stored ones").isNotEqualTo(run.id());
    }

    @Test
    @Order(3)
    void aChangeToOneStagesInputBuildsThatStageOnly() throws Exception {
        long before = builds();
        var run = pushDev("db_size: tiny", "db_size: small");
        assertThat(builds() - before).as("the plan-ahead and app_db's build").isEqualTo(2);
        assertThat(run.stage("app_db").status()).isEqualTo(StageStatus.APPLIED);
        assertThat(run.stage("app_db").planning()).isNotEqualTo(StagePlanning.SPECULATIVE);
        assertThat(ahead(run, "app_db").orElseThrow().status()).as("its ahead plan had changes").isEqualTo(StageStatus.PLANNED);
        assertThat(run.stages().values()).filteredOn(s -> !s.stage().equals("app_db"))
                .hasSize(5).allSatisfy(s -> assertThat(s.status()).as(s.stage()).isEqualTo(StageStatus.NO_CHANGES));
    }

    @Test
    @Order(4)
    void aStageWhoseUpstreamOutputsChangeAfterThePlanAheadIsReplannedInItsOwnBuild() throws Exception {
        long before = builds();
        // two zones, not three: network's subnet ids (which kubernetes and app_db read) change at its apply
        var run = pushDev("azs: [eu-west-1a, eu-west-1b, eu-west-1c]", "azs: [eu-west-1a, eu-west-1b]");
        var workspace = new Workspace(state);
        assertThat(run.stage("network").status()).isEqualTo(StageStatus.APPLIED);
        // kubernetes planned ahead from network's old outputs: no changes then, other subnet ids at its turn
        assertThat(ahead(run, "kubernetes").orElseThrow().status()).isEqualTo(StageStatus.NO_CHANGES);
        assertThat(run.stage("kubernetes").planning()).isNotEqualTo(StagePlanning.SPECULATIVE);
        assertThat(run.stage("kubernetes").status()).as("re-planned in its own build: changes").isEqualTo(StageStatus.APPLIED);
        long built = 0;
        for (var result : run.stages().values()) {
            boolean ownBuild = workspace.blobs().get(BundleKeys.result("dev", run.id(), result.stage())).isPresent();
            assertThat(ownBuild).as(result.stage() + ": a build of its own unless recorded from its ahead plan")
                    .isEqualTo(result.planning() != StagePlanning.SPECULATIVE);
            if (ownBuild) built++;
        }
        assertThat(built).isGreaterThanOrEqualTo(2);
        assertThat(builds() - before).as("the plan-ahead and each stage built on its own").isEqualTo(1 + built);
    }

    // ------------------------------------------------------------------ helpers

    /** Pushes a change of dev's manifest and returns the run once it has succeeded. */
    private Run pushDev(String from, String to) throws Exception {
        var dev = repo.dir.resolve("infrastructures/dev.yaml");
        Files.writeString(dev, Files.readString(dev).replace(from, to));
        var before = commit;
        commit = repo.commit("dev: " + to);
        var response = repo.push(server, before, commit);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        var name = Json.MAPPER.readTree(response.body()).path("started").get(0).path("execution").asText();
        var execution = server.executions().await(name, ServeIT.RUN_LIMIT);
        assertThat(execution.status()).as(execution + "\n" + repo.log).isEqualTo(Executions.Status.SUCCEEDED);
        var run = latest();
        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.revision()).isEqualTo(commit);
        return run;
    }

    private Run latest() {
        return new Workspace(state).runs().list("dev", 1).getFirst();
    }

    private Optional<AheadReport> ahead(Run run, String stage) {
        return new Workspace(state).blobs().get(BundleKeys.ahead("dev", run.id(), stage)).map(json -> {
            try {
                return Json.MAPPER.readValue(json, AheadReport.class);
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    /** The builds the executor ran so far: one log each under the state dir. */
    private long builds() throws Exception {
        var dir = state.resolve("serve").resolve("builds");
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> logs = Files.list(dir)) {
            return logs.filter(p -> p.getFileName().toString().endsWith(".log")).count();
        }
    }
}
