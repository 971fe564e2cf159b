package dev.cairn.reconciler.run;

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
 * Redaction where Terraform itself <em>does</em> print the secret: a module strips the sensitive
 * mark ({@code nonsensitive}) and hands the value to a function that fails, so Terraform's error
 * names the value. Only Cairn's redactor stands between that error and the log and the run record;
 * with redaction off this test fails (the secret is in the stage log).
 */
class QualityRedactionIT {
    static final String SECRET = "kc-R3dactMeIfYouCan";

    @TempDir
    Path tmp;

    @Test
    void aSecretTerraformPrintsInAnErrorIsRedactedInTheLogAndTheRunRecord() throws Exception {
        var repo = tmp.resolve("repo");
        write(repo.resolve("modules/secrets/main.tf"), """
                resource "terraform_data" "pw" {
                  input = "%s"
                }

                output "password" {
                  value     = terraform_data.pw.output
                  sensitive = true
                }
                """.formatted(SECRET));
        write(repo.resolve("modules/leaky/main.tf"), """
                variable "pw" {
                  type = string
                }

                resource "terraform_data" "this" {
                  input = tonumber(nonsensitive(var.pw))
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
                    - name: leaky
                      source: leaky
                      inputs:
                        pw: "{{ outputs.secrets.password }}"
                """);

        var run = reconciler(repo).apply("dev", auto());

        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.stage("secrets").status()).isEqualTo(StageStatus.APPLIED);
        var leaky = run.stage("leaky");
        assertThat(leaky.status()).isEqualTo(StageStatus.FAILED);
        assertThat(leaky.error()).doesNotContain(SECRET);

        Path log;
        try (Stream<Path> logs = Files.walk(repo.resolve(".cairn/logs/dev"))) {
            log = logs.filter(p -> p.getFileName().toString().equals("leaky.log")).findFirst().orElseThrow();
        }
        var text = Files.readString(log, StandardCharsets.UTF_8);
        // the error Terraform printed is there, with the value masked where it stood
        assertThat(text).contains("Error: Invalid function argument").contains("cannot convert \"" + Redactor.MASK + "\"").doesNotContain(SECRET);

        try (Stream<Path> files = Files.walk(repo.resolve(".cairn"))) {
            for (var file : files.filter(Files::isRegularFile).toList()) {
                var name = file.toString();
                if (name.contains("/outputs/") || name.endsWith(".tfstate") || name.contains("/.terraform/")
                        || name.endsWith(".tfplan") || name.endsWith(".tfvars.json") || name.endsWith("main.tf")) continue;
                assertThat(Files.readString(file, StandardCharsets.UTF_8)).as(name).doesNotContain(SECRET);
            }
        }
    }
}
