package dev.cairn.cli;

import dev.cairn.reconciler.manifest.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ctrl-C on a running {@code cairn apply}: a real CLI process gets SIGINT while Terraform applies
 * a slow stage. The run is recorded failed, the lock is free, the applied stage's state is intact,
 * and the next run resumes: the applied stage has no changes, the interrupted one applies.
 */
class QualityInterruptIT {
    @TempDir
    Path tmp;

    static void write(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @Test
    void sigintDuringApplyRecordsTheRunFailedFreesTheLockKeepsStateAndTheNextRunResumes() throws Exception {
        var repo = tmp.resolve("repo");
        write(repo.resolve("cairn.yaml"), "apiVersion: cairn.dev/v1\nkind: Repository\n");
        write(repo.resolve("modules/first/main.tf"), """
                resource "terraform_data" "this" {
                  input = "first"
                }

                output "id" {
                  value = terraform_data.this.id
                }
                """);
        write(repo.resolve("modules/slow/main.tf"), """
                variable "after" {
                  type = string
                }

                resource "terraform_data" "this" {
                  input = var.after
                  provisioner "local-exec" {
                    command = "sleep 20"
                  }
                }
                """);
        write(repo.resolve("infrastructures/dev.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: dev
                spec:
                  modules:
                    - name: first
                      source: first
                    - name: slow
                      source: slow
                      inputs:
                        after: "{{ outputs.first.id }}"
                """);

        var java = ProcessHandle.current().info().command().orElseThrow();
        var cli = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Cairn.class.getName(),
                "apply", repo.toString(), "--infra", "dev", "--yes")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("cli.out").toFile()).start();

        // wait until terraform is inside the slow stage's provisioner
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!slowStageIsApplying(repo)) {
            assertThat(cli.isAlive()).as("cli still running: %s", Files.readString(tmp.resolve("cli.out"))).isTrue();
            assertThat(System.nanoTime()).as("the slow stage started in time").isLessThan(deadline);
            Thread.sleep(100);
        }
        Thread.sleep(500);
        assertThat(new ProcessBuilder("kill", "-INT", String.valueOf(cli.pid())).start().waitFor()).isZero();
        assertThat(cli.waitFor(90, TimeUnit.SECONDS)).as("the CLI stopped after SIGINT").isTrue();
        assertThat(cli.exitValue()).isNotZero();

        var cairn = repo.resolve(".cairn");
        assertThat(cairn.resolve("locks/dev.lock")).doesNotExist();
        List<Path> runs;
        try (Stream<Path> files = Files.list(cairn.resolve("runs/dev"))) {
            runs = files.filter(p -> p.toString().endsWith(".json")).toList();
        }
        assertThat(runs).hasSize(1);
        var record = Json.MAPPER.readTree(runs.getFirst().toFile());
        assertThat(record.path("status").asText()).isEqualTo("FAILED");
        assertThat(record.at("/stages/first/status").asText()).isEqualTo("APPLIED");
        assertThat(record.at("/stages/slow/status").asText()).isEqualTo("FAILED");
        assertThat(record.path("finishedAt").isNull()).isFalse();
        var state = Json.MAPPER.readTree(cairn.resolve("state/dev/first.tfstate").toFile());
        assertThat(state.path("resources").size()).as("the applied stage keeps its state").isEqualTo(1);

        var out = new StringWriter();
        var err = new StringWriter();
        var line = Cairn.commandLine();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        assertThat(line.execute("apply", repo.toString(), "--infra", "dev", "--yes", "-o", "json")).as(err.toString()).isZero();
        var again = Json.MAPPER.readTree(out.toString());
        assertThat(again.at("/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(again.at("/stages/first/status").asText()).isEqualTo("NO_CHANGES");
        assertThat(again.at("/stages/slow/status").asText()).isEqualTo("APPLIED");
    }

    private static boolean slowStageIsApplying(Path repo) throws Exception {
        var logs = repo.resolve(".cairn/logs/dev");
        if (!Files.isDirectory(logs)) return false;
        try (Stream<Path> files = Files.walk(logs)) {
            for (var log : files.filter(p -> p.getFileName().toString().equals("slow.log")).toList()) {
                if (Files.readString(log, StandardCharsets.UTF_8).contains("$ terraform apply")) return true;
            }
        }
        return false;
    }
}
