package dev.cairn.cli;

import dev.cairn.aws.store.AwsStores;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.terraform.TerraformBinary;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A preview's plan ({@code cairn stage preview}) neither takes nor waits for Terraform's own state
 * lock and writes no state, with real Terraform: while another Terraform process holds the stage's
 * state lock (a {@code terraform console}, which locks the state for as long as it runs), a normal
 * {@code cairn stage plan} of the same work dir waits on the lock the whole time, the preview plans,
 * and the state file is byte for byte what it was.
 */
@Tag("integration")
class StagePreviewLockIT {
    @TempDir
    Path tmp;

    @Test
    void aPreviewPlansWhileAnotherTerraformHoldsTheStateLockAndLeavesTheStateAsItWas() throws Exception {
        var terraform = TerraformBinary.find(null).path().toString();
        var dir = Files.createDirectories(tmp.resolve("work"));
        Files.writeString(dir.resolve("main.tf"), """
                terraform {
                  backend "local" { path = "terraform.tfstate" }
                }
                variable "size" {
                  type    = number
                  default = 2
                }
                resource "terraform_data" "this" {
                  input = var.size
                }
                output "size" {
                  value = terraform_data.this.output
                }
                """);
        run(dir, terraform, "init", "-input=false", "-no-color");
        run(dir, terraform, "apply", "-auto-approve", "-input=false", "-no-color");
        // the PR's change: a plan of it has changes
        Files.writeString(dir.resolve("cairn.auto.tfvars.json"), "{\"size\": 3}");
        var state = dir.resolve("terraform.tfstate");
        var before = sha256(state);

        var holder = new ProcessBuilder(terraform, "console", "-no-color").directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("console.log").toFile()).start();
        try {
            var deadline = Instant.now().plus(Duration.ofSeconds(60));
            while (!Files.exists(dir.resolve(".terraform.tfstate.lock.info")) && Instant.now().isBefore(deadline)) Thread.sleep(100);
            assertThat(dir.resolve(".terraform.tfstate.lock.info")).as("terraform console holds the state lock").exists();

            // a normal plan waits for the lock (-lock-timeout=120s, then fails)
            var plan = start(dir, "plan", tmp.resolve("plan.json"));
            try {
                var waiting = terraformPlanOf(plan, Instant.now().plus(Duration.ofSeconds(60)));
                assertThat(waiting).as("cairn stage plan started terraform plan").isPresent();
                var preview = cairn(dir, "preview", tmp.resolve("preview.json"));
                assertThat(preview.exit()).as(preview.output()).isZero();
                assertThat(waiting.get().isAlive()).as("the normal terraform plan still waits for the lock the preview never took").isTrue();
                assertThat(tmp.resolve("plan.json")).doesNotExist();
            } finally {
                plan.descendants().forEach(ProcessHandle::destroy);
                plan.destroy();
                plan.waitFor(30, TimeUnit.SECONDS);
            }
            var result = Json.MAPPER.readTree(tmp.resolve("preview.json").toFile());
            assertThat(result.path("step").asText()).isEqualTo("preview");
            assertThat(result.path("plan").path("change").asInt()).as(result.toString()).isEqualTo(1);
            assertThat(holder.isAlive()).as("the lock was held the whole time").isTrue();
        } finally {
            holder.getOutputStream().close();
            if (!holder.waitFor(30, TimeUnit.SECONDS)) holder.destroy();
        }
        assertThat(sha256(state)).as("no state was written").isEqualTo(before);
        assertThat(Files.readString(state)).contains("\"value\": 2");
    }

    record Result(int exit, String output) {
    }

    /** The {@code terraform plan} process {@code cairn} started, once it runs. */
    private static java.util.Optional<ProcessHandle> terraformPlanOf(Process cairn, Instant deadline) throws InterruptedException {
        while (Instant.now().isBefore(deadline)) {
            var found = cairn.descendants().filter(p -> p.info().arguments().map(a -> List.of(a).contains("plan")).orElse(false)).findFirst();
            if (found.isPresent()) return found;
            Thread.sleep(50);
        }
        return java.util.Optional.empty();
    }

    private static Result cairn(Path dir, String step, Path result) throws Exception {
        var process = start(dir, step, result);
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }

    private static Process start(Path dir, String step, Path result) throws Exception {
        var java = ProcessHandle.current().info().command().orElse("java");
        var command = List.of(java, "-cp", System.getProperty("java.class.path"), Cairn.class.getName(),
                "stage", step, "--work-dir", dir.toString(), "--result", result.toString());
        var builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove(AwsStores.BUCKET);
        builder.environment().remove(AwsStores.TABLE);
        if (step.equals("plan")) builder.redirectOutput(result.resolveSibling(step + ".log").toFile());
        return builder.start();
    }

    private static void run(Path dir, String... command) throws Exception {
        var process = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(dir.toFile()).redirectErrorStream(true).start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + "\n" + output).isZero();
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
