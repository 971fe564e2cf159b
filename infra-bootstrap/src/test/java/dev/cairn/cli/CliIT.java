package dev.cairn.cli;

import dev.cairn.reconciler.manifest.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The cairn command as a user runs it: real repos, real terraform, exit codes and what is printed. */
class CliIT {
    private static final InputStream STDIN = System.in;

    @TempDir
    Path tmp;

    record Result(int exit, String out, String err) {
    }

    @AfterEach
    void restoreStdin() {
        System.setIn(STDIN);
    }

    static Result cairn(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Cairn.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    Path quickstart() throws IOException {
        return Examples.copy("quickstart", tmp.resolve("quickstart"));
    }

    @Test
    void theQuickstartAppliesThenReportsNoChangesShowsOutputsAndDestroysEverything() throws Exception {
        var repo = quickstart().toString();

        var apply = cairn("apply", repo, "--infra", "dev", "--yes");
        assertThat(apply.exit()).as(apply.err()).isEqualTo(0);
        assertThat(apply.out()).contains("Apply complete: 6 stages (6 applied)");

        var again = cairn("apply", repo, "--infra", "dev", "--yes");
        assertThat(again.exit()).isEqualTo(0);
        assertThat(again.out()).contains("6 unchanged").contains("No changes. Infrastructure is up to date.");

        var outputs = cairn("outputs", repo, "--infra", "dev", "-o", "json");
        assertThat(outputs.exit()).isEqualTo(0);
        var tree = Json.MAPPER.readTree(outputs.out());
        assertThat(tree.at("/network/vpc_id").asText()).startsWith("vpc-");
        assertThat(tree.at("/kubernetes/subnet_count").asInt()).isEqualTo(3);
        assertThat(tree.at("/addons/keycloak_admin_password").asText()).isEqualTo("(sensitive)");
        assertThat(tree.at("/app_db/endpoint").asText()).contains(tree.at("/network/vpc_id").asText().substring(4, 12));

        var text = cairn("outputs", repo, "--infra", "dev");
        assertThat(text.out()).contains("keycloak_admin_password = (sensitive)").doesNotContain("kc-");

        var status = cairn("status", repo, "-o", "json");
        var rows = Json.MAPPER.readTree(status.out());
        assertThat(rows.get(0).at("/infrastructure").asText()).isEqualTo("dev");
        assertThat(rows.get(0).at("/lastRun/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(rows.get(1).at("/lastRun").isNull()).isTrue();

        var destroy = cairn("destroy", repo, "--infra", "dev", "--yes");
        assertThat(destroy.exit()).as(destroy.err()).isEqualTo(0);
        assertThat(destroy.out()).contains("Destroy complete: 6 stages (6 destroyed)");
        var none = cairn("outputs", repo, "--infra", "dev");
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("nothing was applied yet");
    }

    @Test
    void applyShowsThePlanAsksAndAnAnswerOtherThanYesChangesNothing() throws Exception {
        var repo = quickstart();
        System.setIn(new ByteArrayInputStream("no\n".getBytes(StandardCharsets.UTF_8)));

        var apply = cairn("apply", repo.toString(), "--infra", "dev");

        assertThat(apply.exit()).isEqualTo(1);
        assertThat(apply.out()).contains("backend: 1 to add, 0 to change, 0 to destroy")
                .contains("+ terraform_data.this")
                .contains("3 stages planned after upstream applies")
                .contains("Only 'yes' will be accepted")
                .contains("Apply cancelled");
        assertThat(repo.resolve(".cairn/outputs/dev")).doesNotExist();
    }

    @Test
    void applyWithYesOnStdinAppliesAndJsonOutputIsTheRunRecord() throws Exception {
        var repo = quickstart();
        // one answer per question: the first waves, then wave 3 and wave 4 once their plans are made
        System.setIn(new ByteArrayInputStream("yes\nyes\nyes\n".getBytes(StandardCharsets.UTF_8)));

        var apply = cairn("apply", repo.toString(), "--infra", "dev", "-o", "json");

        assertThat(apply.exit()).as(apply.err()).isEqualTo(0);
        var run = Json.MAPPER.readTree(apply.out());
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/stages/addons/status").asText()).isEqualTo("APPLIED");
        assertThat(run.at("/stages/network/confirmation").asText()).isEqualTo("CONFIRMED");
        assertThat(run.at("/stages/addons/confirmation").asText()).isEqualTo("CONFIRMED_LATER");
        assertThat(run.path("waves").size()).isEqualTo(4);
    }

    @Test
    void invalidManifestsReportEveryProblemAsFileLineColumnAndExit2WithoutAStackTrace() throws Exception {
        var repo = quickstart();
        var dev = repo.resolve("infrastructures/dev.yaml");
        Files.writeString(dev, Files.readString(dev)
                .replace("natGateway: single", "natGatway: single")
                .replace("cidr: 10.10.0.0/16", "cidr: 10.10.0.1/16")
                .replace("dependsOn: [network]", "dependsOn: [netwrk]"));

        var validate = cairn("validate", repo.toString());

        assertThat(validate.exit()).isEqualTo(2);
        var lines = validate.err().lines().filter(l -> !l.startsWith("    hint:")).toList();
        assertThat(lines).anyMatch(l -> l.matches(".*dev\\.yaml:\\d+:\\d+: unknown-key: unknown key `natGatway`.*"));
        assertThat(validate.err()).contains("did you mean `natGateway`?");
        assertThat(validate.err()).doesNotContain("Exception").doesNotContain("\tat ");
        // the schema error stops that manifest before the deeper checks; fix it and the rest shows
        Files.writeString(dev, Files.readString(dev).replace("natGatway", "natGateway"));
        var second = cairn("validate", repo.toString());
        assertThat(second.exit()).isEqualTo(2);
        assertThat(second.err()).contains(": cidr: ").contains("did you mean `10.10.0.0/16`?")
                .contains(": unknown-dependency: ").contains("did you mean `network`?")
                .contains("2 problems found.");

        var apply = cairn("apply", repo.toString(), "--infra", "dev", "--yes");
        assertThat(apply.exit()).isEqualTo(2);
        assertThat(apply.err()).contains("nothing was run");
        assertThat(repo.resolve(".cairn")).doesNotExist();

        var json = cairn("validate", repo.toString(), "-o", "json");
        var tree = Json.MAPPER.readTree(json.out());
        assertThat(tree.path("valid").asBoolean()).isFalse();
        assertThat(tree.path("diagnostics").get(0).path("line").asInt()).isPositive();
    }

    @Test
    void theStageEntryPointRunsARenderedWorkDirAndKeepsSecretsOutOfStdout() throws Exception {
        var repo = quickstart();
        assertThat(cairn("apply", repo.toString(), "--infra", "dev", "--yes").exit()).isZero();
        var workDir = repo.resolve(".cairn/work/dev/addons");
        var resultFile = tmp.resolve("result.json");

        var plan = cairn("stage", "plan", "--work-dir", workDir.toString());
        assertThat(plan.exit()).as(plan.err()).isZero();
        assertThat(Json.MAPPER.readTree(plan.out()).at("/plan/add").asInt()).isZero();

        var outputs = cairn("stage", "outputs", "--work-dir", workDir.toString(), "--result", resultFile.toString());
        assertThat(outputs.exit()).isZero();
        assertThat(Json.MAPPER.readTree(outputs.out()).at("/outputs/keycloak_admin_password").asText()).isEqualTo("(sensitive)");
        var secret = Json.MAPPER.readTree(resultFile.toFile()).at("/outputs/keycloak_admin_password/value").asText();
        assertThat(secret).startsWith("kc-");
        assertThat(outputs.out()).doesNotContain(secret);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(resultFile))).isEqualTo("rw-------");
    }

    @Test
    void eachRunRecordsTheCommitItReconciledAndWhetherTheWorkTreeWasDirty() throws Exception {
        var repo = quickstart();
        String commit;
        try (var git = org.eclipse.jgit.api.Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            commit = git.commit().setMessage("infra").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call().name();
        }

        assertThat(cairn("apply", repo.toString(), "--infra", "dev", "--yes").exit()).isZero();
        var clean = Json.MAPPER.readTree(cairn("status", repo.toString(), "--infra", "dev", "-o", "json").out());
        assertThat(clean.at("/0/lastRun/revision").asText()).isEqualTo(commit);

        Files.writeString(repo.resolve("cairn.yaml"), "\n# an uncommitted edit\n", java.nio.file.StandardOpenOption.APPEND);
        assertThat(cairn("apply", repo.toString(), "--infra", "dev", "--yes").exit()).isZero();
        var dirty = Json.MAPPER.readTree(cairn("status", repo.toString(), "--infra", "dev", "-o", "json").out());
        assertThat(dirty.at("/0/lastRun/revision").asText()).isEqualTo(commit + "-dirty");
    }

    @Test
    void graphPrintsMermaidAndDot() throws Exception {
        var repo = quickstart().toString();
        var mermaid = cairn("graph", repo, "--infra", "dev");
        assertThat(mermaid.out()).startsWith("flowchart LR").contains("network --> kubernetes").contains("network --> app_db");
        var dot = cairn("graph", repo, "--infra", "dev", "--format", "dot");
        assertThat(dot.out()).startsWith("digraph \"dev\"").contains("\"kubernetes\" -> \"addons\";");
        var unknown = cairn("graph", repo, "--infra", "qa");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("no infrastructure named `qa`").contains("dev, prod");
    }

    @Test
    void policyForbidsDestroyingProd() throws Exception {
        var destroy = cairn("destroy", quickstart().toString(), "--infra", "prod", "--yes");
        assertThat(destroy.exit()).isEqualTo(2);
        assertThat(destroy.err()).contains("policy forbids destroying `prod`");
    }

    @Test
    void aLockedInfrastructureIsRefusedWithAHintAndUnlockRefusesALiveHolderUnlessForced() throws Exception {
        var repo = quickstart();
        var lock = repo.resolve(".cairn/locks/dev.lock");
        Files.createDirectories(lock.getParent());
        Files.writeString(lock, """
                {"runId":"20261122T000000Z-abcdef","holder":"%s","pid":%d,"since":"2026-11-22T00:00:00Z"}
                """.formatted(dev.cairn.reconciler.store.local.LocalLockStore.hostName(), ProcessHandle.current().pid()));

        var apply = cairn("apply", repo.toString(), "--infra", "dev", "--yes");
        assertThat(apply.exit()).isEqualTo(1);
        assertThat(apply.err()).contains("is locked by run 20261122T000000Z-abcdef").contains("cairn unlock");

        // the holder (this test's own process) is alive: unlock refuses and names it
        var unlock = cairn("unlock", repo.toString(), "--infra", "dev");
        assertThat(unlock.exit()).isEqualTo(1);
        assertThat(unlock.err()).contains("run 20261122T000000Z-abcdef").contains("pid " + ProcessHandle.current().pid())
                .contains("--force");
        assertThat(lock).exists();

        var forced = cairn("unlock", repo.toString(), "--infra", "dev", "--force");
        assertThat(forced.exit()).isZero();
        assertThat(forced.out()).contains("Removed the lock of `dev`");
        assertThat(lock).doesNotExist();
    }

    @Test
    void aMissingTerraformBinaryGetsAClearMessage() throws Exception {
        var java = ProcessHandle.current().info().command().orElse("java");
        var command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), Cairn.class.getName(),
                "plan", quickstart().toString(), "--infra", "dev"));
        var builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("CAIRN_TERRAFORM_BIN", tmp.resolve("no/such/terraform").toString());
        var process = builder.start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor()).isEqualTo(2);
        assertThat(output).contains("Terraform was not found").contains("Install Terraform >= 1.10 or OpenTofu >= 1.10")
                .doesNotContain("\tat ");
    }
    @Test
    void outputsNeverShowAKnownSecretEvenInsideAPlainOutput() throws Exception {
        var repo = Files.createDirectories(tmp.resolve("repo"));
        var secret = "kc-S3cretFromKeycloak";
        // as an older Cairn stored them: the downstream output built from the secret is not marked
        var store = new dev.cairn.reconciler.run.Workspace(repo.resolve(".cairn")).outputs();
        store.put("dev", new dev.cairn.reconciler.store.StageOutputs("addons", "r1", java.time.Instant.now(), java.util.Map.of(
                "keycloak_admin_password", new dev.cairn.reconciler.store.StageOutputs.Output(secret, true))));
        store.put("dev", new dev.cairn.reconciler.store.StageOutputs("app", "r1", java.time.Instant.now(), java.util.Map.of(
                "connection", new dev.cairn.reconciler.store.StageOutputs.Output("postgres://admin:" + secret + "@db", false),
                "list", new dev.cairn.reconciler.store.StageOutputs.Output(List.of("a", "pw=" + secret), false),
                "host", new dev.cairn.reconciler.store.StageOutputs.Output("db.internal", false))));

        var json = cairn("outputs", repo.toString(), "--infra", "dev", "-o", "json");
        var text = cairn("outputs", repo.toString(), "--infra", "dev");

        assertThat(json.exit()).isZero();
        assertThat(text.exit()).isZero();
        assertThat(json.out() + text.out()).doesNotContain(secret);
        var tree = Json.MAPPER.readTree(json.out());
        assertThat(tree.at("/app/connection").asText()).isEqualTo("(sensitive)");
        assertThat(tree.at("/app/list").asText()).isEqualTo("(sensitive)");
        assertThat(tree.at("/app/host").asText()).isEqualTo("db.internal");
    }
}
