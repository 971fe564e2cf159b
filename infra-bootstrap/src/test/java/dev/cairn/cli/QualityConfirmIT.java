package dev.cairn.cli;

import dev.cairn.reconciler.manifest.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The confirmed flows (no {@code --yes}) with real Terraform: a re-apply where one stage is
 * unchanged and its downstream stage changed (the unchanged stage's outputs still feed the next),
 * and a destroy that is declined (nothing destroyed) and then confirmed (everything destroyed).
 */
class QualityConfirmIT {
    private static final InputStream STDIN = System.in;

    @TempDir
    Path tmp;

    record Result(int exit, String out, String err) {
    }

    @AfterEach
    void restoreStdin() {
        System.setIn(STDIN);
    }

    static Result cairn(String answer, String... args) {
        if (answer != null) System.setIn(new ByteArrayInputStream(answer.getBytes(StandardCharsets.UTF_8)));
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Cairn.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    static void write(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    static int resources(Path state) throws Exception {
        return Json.MAPPER.readTree(state.toFile()).path("resources").size();
    }

    @Test
    void aConfirmedReapplyFeedsAnUnchangedStagesOutputsAndADeclinedDestroyDestroysNothing() throws Exception {
        var repo = tmp.resolve("repo");
        write(repo.resolve("cairn.yaml"), "apiVersion: cairn.dev/v1\nkind: Repository\n");
        write(repo.resolve("modules/first/main.tf"), """
                resource "terraform_data" "this" {
                  input = "first-value"
                }

                output "value" {
                  value = terraform_data.this.output
                }
                """);
        write(repo.resolve("modules/second/main.tf"), """
                variable "from_first" {
                  type = string
                }

                variable "label" {
                  type = string
                }

                resource "terraform_data" "this" {
                  input = "${var.label}:${var.from_first}"
                }

                output "joined" {
                  value = terraform_data.this.output
                }
                """);
        var manifest = repo.resolve("infrastructures/dev.yaml");
        write(manifest, """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: dev
                spec:
                  modules:
                    - name: first
                      source: first
                    - name: second
                      source: second
                      inputs:
                        from_first: "{{ outputs.first.value }}"
                        label: one
                """);
        var r = repo.toString();
        assertThat(cairn(null, "apply", r, "--infra", "dev", "--yes").exit()).isZero();

        Files.writeString(manifest, Files.readString(manifest).replace("label: one", "label: two"));
        var reapply = cairn("yes\n", "apply", r, "--infra", "dev", "-o", "json");
        assertThat(reapply.exit()).as(reapply.err()).isZero();
        var run = Json.MAPPER.readTree(reapply.out());
        assertThat(run.at("/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/stages/first/status").asText()).isEqualTo("NO_CHANGES");
        assertThat(run.at("/stages/second/status").asText()).isEqualTo("APPLIED");
        var outputs = Json.MAPPER.readTree(cairn(null, "outputs", r, "--infra", "dev", "-o", "json").out());
        assertThat(outputs.at("/second/joined").asText()).isEqualTo("two:first-value");

        var state = repo.resolve(".cairn/state/dev");
        var declined = cairn("no\n", "destroy", r, "--infra", "dev");
        assertThat(declined.exit()).isEqualTo(1);
        assertThat(declined.out()).contains("terraform_data.this");
        assertThat(resources(state.resolve("first.tfstate"))).isEqualTo(1);
        assertThat(resources(state.resolve("second.tfstate"))).isEqualTo(1);

        var confirmed = cairn("yes\n", "destroy", r, "--infra", "dev");
        assertThat(confirmed.exit()).as(confirmed.err()).isZero();
        assertThat(resources(state.resolve("first.tfstate"))).isZero();
        assertThat(resources(state.resolve("second.tfstate"))).isZero();
    }
}
