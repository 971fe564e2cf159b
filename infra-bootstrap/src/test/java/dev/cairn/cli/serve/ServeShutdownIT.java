package dev.cairn.cli.serve;

import dev.cairn.cli.Cairn;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.statemachine.Executions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Graceful shutdown of {@code cairn serve}: {@code stop()} while a stage's build is inside a
 * Terraform provisioner kills the build's processes, records the stage failed and the run failed,
 * and releases the lock; the execution ends ABORTED and its history says so.
 */
@Tag("integration")
class ServeShutdownIT {
    @TempDir
    Path tmp;

    @Test
    void stopWhileAStageRunsRecordsItFailedAndReleasesTheLock() throws Exception {
        try (var repo = new ServedRepo(tmp.resolve("infra"))) {
            repo.write("cairn.yaml", "apiVersion: cairn.dev/v1\nkind: Repository\nbranch: main\ndefaults:\n  provider: { cloud: none }\n")
                    .write("modules/slow/main.tf", """
                            resource "terraform_data" "this" {
                              input = "slow"
                              provisioner "local-exec" {
                                command = "sleep 300"
                              }
                            }
                            """)
                    .write("infrastructures/dev.yaml", """
                            apiVersion: cairn.dev/v1
                            kind: Infrastructure
                            metadata:
                              name: dev
                            spec:
                              modules:
                                - name: slow
                                  source: slow
                            """);
            var commit = repo.commit("a slow stage");
            var state = tmp.resolve("state");
            var server = repo.serve(state);
            String name;
            try {
                var response = repo.push(server, ServedRepo.ZERO, commit);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                name = Json.MAPPER.readTree(response.body()).path("started").get(0).path("execution").asText();
                var deadline = Instant.now().plusSeconds(180);
                while (!provisioning()) {
                    assertThat(Instant.now()).as("the slow stage's provisioner started\n" + repo.log).isBefore(deadline);
                    assertThat(server.executions().describe(name).orElseThrow().status()).isEqualTo(Executions.Status.RUNNING);
                    Thread.sleep(200);
                }
                assertThat(new Workspace(state).locks().owner("dev")).isPresent();
                assertThat(buildLog(state)).as("the build's output is live").contains("Provisioning with 'local-exec'");
            } finally {
                server.stop();
            }
            var execution = server.executions().describe(name).orElseThrow();
            assertThat(execution.status()).isEqualTo(Executions.Status.ABORTED);
            var workspace = new Workspace(state);
            var run = workspace.runs().list("dev", 1).getFirst();
            assertThat(run.status()).isEqualTo(RunStatus.FAILED);
            assertThat(run.finishedAt()).isNotNull();
            assertThat(run.stage("slow").status()).isEqualTo(StageStatus.FAILED);
            assertThat(run.stage("slow").error()).contains("States.Aborted", "stopped while planning");
            assertThat(workspace.locks().owner("dev")).as("the lock is released").isEmpty();
            var deadline = Instant.now().plus(Duration.ofSeconds(20));
            while (ProcessHandle.current().descendants().anyMatch(ProcessHandle::isAlive)) {
                assertThat(Instant.now()).as("the build's processes (cairn stage, terraform, sleep) ended: "
                        + ProcessHandle.current().descendants().map(p -> p.info().command().orElse("?")).toList()).isBefore(deadline);
                Thread.sleep(200);
            }

            var out = new StringWriter();
            var cli = Cairn.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(out, true));
            assertThat(cli.execute("status", repo.dir.toString(), "--run", run.id(), "--state-dir", state.toString(), "--no-color"))
                    .as(out.toString()).isZero();
            assertThat(out.toString()).contains("aborted", "ExecutionAborted", "Stages[0]/PlanApply", "failed");
        }
    }

    private static String buildLog(Path state) throws Exception {
        var text = new StringBuilder();
        try (var files = java.nio.file.Files.list(state.resolve("serve/builds"))) {
            for (var log : files.filter(f -> f.toString().endsWith(".log")).toList()) text.append(java.nio.file.Files.readString(log));
        }
        return text.toString();
    }

    /** Terraform is inside the provisioner: its {@code sleep} runs under this JVM (serve → cairn stage → terraform → sh → sleep). */
    private static boolean provisioning() {
        return ProcessHandle.current().descendants().anyMatch(p -> p.info().command().map(c -> c.endsWith("/sleep")).orElse(false));
    }
}
