package dev.cairn.reconciler.run;

import dev.cairn.reconciler.manifest.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.cairn.reconciler.run.TestRepos.auto;
import static dev.cairn.reconciler.run.TestRepos.reconciler;
import static dev.cairn.reconciler.run.TestRepos.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A secret piped through two stages (issue 12): a sensitive output feeds an input of the next
 * stage, whose outputs feed a third. Every hop stays sensitive, to Terraform and to Cairn.
 */
class SensitiveFlowIT {
    static final String SECRET = "kc-Adm1nPassw0rdValue";

    @TempDir
    Path tmp;

    /** secrets (sensitive password) → app (uses it, exports it two ways) → report (uses app's, upper-cased). */
    static Path writeRepo(Path repo) {
        write(repo.resolve("modules/secrets/main.tf"), """
                resource "terraform_data" "pw" {
                  input = "%s"
                }

                output "password" {
                  value     = terraform_data.pw.output
                  sensitive = true
                }
                """.formatted(SECRET));
        write(repo.resolve("modules/app/main.tf"), """
                variable "admin_password" {
                  type = string
                }

                resource "terraform_data" "this" {
                  input = "conn-${var.admin_password}"
                }

                output "connection" {
                  value = terraform_data.this.output
                }

                output "direct" {
                  value = "postgres://admin:${var.admin_password}@db"
                }

                output "host" {
                  value = "db.internal"
                }
                """);
        write(repo.resolve("modules/report/main.tf"), """
                variable "conn" {
                  type = string
                }

                resource "terraform_data" "this" {
                  input = var.conn
                }

                output "shout" {
                  value = terraform_data.this.output
                }
                """);
        write(repo.resolve("infrastructures/dev.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: dev
                spec:
                  modules:
                    - name: secrets
                      source: secrets
                    - name: app
                      source: app
                      inputs:
                        admin_password: "{{ outputs.secrets.password }}"
                    - name: report
                      source: report
                      inputs:
                        conn: "{{ outputs.app.connection | upper }}"
                """);
        return repo;
    }

    @Test
    void aSensitiveValueStaysSensitiveThroughTwoStages() throws Exception {
        var repo = writeRepo(tmp.resolve("repo"));

        var run = reconciler(repo).apply("dev", auto());

        assertThat(run.status()).as(String.valueOf(run.stages())).isEqualTo(RunStatus.SUCCEEDED);
        var outputs = new Workspace(repo.resolve(".cairn")).outputs();
        var app = outputs.get("dev", "app").orElseThrow().values();
        var report = outputs.get("dev", "report").orElseThrow().values();
        assertThat((String) app.get("connection").value()).isEqualTo("conn-" + SECRET);
        assertThat(app.get("connection").sensitive()).as("built from the secret through a resource").isTrue();
        assertThat(app.get("direct").sensitive()).as("uses the sensitive variable directly").isTrue();
        assertThat(app.get("host").sensitive()).as("no secret in it").isFalse();
        assertThat((String) report.get("shout").value()).isEqualTo(("conn-" + SECRET).toUpperCase());
        assertThat(report.get("shout").sensitive()).as("two stages down, transformed").isTrue();

        // terraform was told: the variables are declared sensitive
        var override = Json.MAPPER.readTree(repo.resolve(".cairn/work/dev/app/cairn_override.tf.json").toFile());
        assertThat(override.path("variable").path("admin_password").path("sensitive").asBoolean()).isTrue();
        assertThat(override.path("output").path("direct").path("sensitive").asBoolean()).isTrue();
        assertThat(repo.resolve(".cairn/work/dev/report/cairn_override.tf.json")).exists();

        // nothing Cairn writes outside state, plans and the owner-only outputs has the secret in any form
        try (Stream<Path> files = Files.walk(repo.resolve(".cairn"))) {
            for (var file : files.filter(Files::isRegularFile).toList()) {
                var name = file.toString();
                if (name.contains("/outputs/") || name.endsWith(".tfstate") || name.contains("/.terraform/")
                        || name.endsWith(".tfplan") || name.endsWith(".tfvars.json") || name.endsWith("main.tf")) continue; // the module itself holds the literal
                var text = Files.readString(file, StandardCharsets.UTF_8);
                assertThat(text).as(name).doesNotContain(SECRET).doesNotContain(SECRET.toUpperCase());
            }
        }

        var again = reconciler(repo).apply("dev", auto());
        assertThat(again.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(again.stages().values()).allSatisfy(s -> assertThat(s.status()).isEqualTo(StageStatus.NO_CHANGES));
    }
}
