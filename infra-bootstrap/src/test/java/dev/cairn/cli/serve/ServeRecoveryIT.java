package dev.cairn.cli.serve;

import dev.cairn.cli.Cairn;
import dev.cairn.reconciler.run.RunRefusedException;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.Workspace;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A {@code cairn serve} killed without its shutdown (SIGKILL) leaves its run running and its lock
 * held; while it lives no second server may use its state dir, and the next server to start on it
 * ends that run (the stage in progress failed, the run failed) and releases the lock.
 */
@Tag("integration")
class ServeRecoveryIT {
    private static final Pattern URL = Pattern.compile("cairn serve: (http://127\\.0\\.0\\.1:\\d+/)");

    @TempDir
    Path tmp;

    @Test
    void theNextServerEndsTheRunsAKilledOneLeft() throws Exception {
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
            var java = ProcessHandle.current().info().command().orElseThrow();
            var output = tmp.resolve("serve.out");
            var builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Cairn.class.getName(), "serve", repo.dir.toString(),
                    "--port", "0", "--state-dir", state.toString(), "--template",
                    Path.of(System.getProperty("cairn.repoRoot")).resolve("template.yaml").toString())
                    .redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().put("CAIRN_GITHUB_WEBHOOK_SECRET", ServedRepo.WEBHOOK_SECRET);
            var first = builder.start();
            List<ProcessHandle> tree = new ArrayList<>();
            try {
                var deadline = Instant.now().plusSeconds(120);
                String url = null;
                while (url == null) {
                    assertThat(first.isAlive()).as(Files.readString(output)).isTrue();
                    assertThat(Instant.now()).as("the first server started: " + Files.readString(output)).isBefore(deadline);
                    var found = URL.matcher(Files.readString(output));
                    if (found.find()) url = found.group(1);
                    else Thread.sleep(200);
                }
                var port = URI.create(url).getPort();
                assertThatThrownBy(() -> repo.serve(state)).as("one server per state dir").isInstanceOf(RunRefusedException.class)
                        .hasMessageContaining("another cairn serve uses the state dir");
                assertThat(repo.pushTo(url, ServedRepo.ZERO, commit).statusCode()).isEqualTo(202);
                while (first.descendants().noneMatch(p -> p.info().command().map(c -> c.endsWith("/sleep")).orElse(false))) {
                    assertThat(Instant.now()).as("the slow stage runs: " + Files.readString(output)).isBefore(deadline.plusSeconds(120));
                    Thread.sleep(200);
                }
                assertThat(port).isPositive();
            } finally {
                tree.addAll(first.descendants().toList());
                first.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
                tree.forEach(ProcessHandle::destroyForcibly); // what SIGKILL of serve leaves behind
            }
            var workspace = new Workspace(state);
            assertThat(workspace.locks().owner("dev")).as("the killed server's run holds the lock").isPresent();
            var left = workspace.runs().list("dev", 1).getFirst();
            assertThat(left.status()).isEqualTo(RunStatus.RUNNING);

            var next = repo.serve(state);
            try {
                var run = workspace.runs().get("dev", left.id()).orElseThrow();
                assertThat(run.status()).isEqualTo(RunStatus.FAILED);
                assertThat(run.stage("slow").status()).isEqualTo(StageStatus.FAILED);
                assertThat(run.stage("slow").error()).contains("States.Aborted", "stopped without shutting down");
                assertThat(workspace.locks().owner("dev")).as("the lock is released").isEmpty();
            } finally {
                next.stop();
            }
            var out = new StringWriter();
            var cli = Cairn.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(out, true));
            assertThat(cli.execute("status", repo.dir.toString(), "--run", left.id(), "--state-dir", state.toString(), "--no-color"))
                    .as(out.toString()).isZero();
            assertThat(out.toString()).contains("failed", "TaskStateEntered");
        }
    }
}
