package dev.cairn.cli;

import dev.cairn.aws.store.AwsStores;
import dev.cairn.aws.testing.MotoServer;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cairn status --stack} and {@code cairn outputs --stack} against {@code template.yaml}
 * deployed into moto: the same run, lock and outputs are written into the stack's table (through
 * {@link AwsStores}, as the functions write them) and into a local state dir, and the deployed
 * mode prints what the local mode prints, the sensitive value in neither.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StackStatusIT {
    static final String STACK = "cairn-status";
    static final String SECRET = "s3cr3t-" + UUID.randomUUID();
    static final String RUN_ID = "20261201T160000Z-abcdef";

    Path tmp;
    Path repo;
    Path stateDir;
    MotoServer moto;
    EmulatedStacks.Deployed deployed;

    @BeforeAll
    void deploy(@TempDir Path dir) throws Exception {
        tmp = dir;
        repo = dir.resolve("repo");
        write("cairn.yaml", "apiVersion: cairn.dev/v1\nkind: Repository\nbranch: main\ndefaults:\n  provider: { cloud: none }\n");
        write("infrastructures/dev.yaml", manifest("dev"));
        write("infrastructures/prod.yaml", manifest("prod"));
        write("modules/network/main.tf", "variable \"cidr\" {}\nresource \"terraform_data\" \"vpc\" { input = var.cidr }\n");

        var artifact = EmulatedStacks.REPO.resolve("functions/target/cairn-functions.jar");
        assertThat(artifact).as("the function artifact (built by the functions module before this one)").exists();
        moto = MotoServer.start(dir.resolve("moto.log"));
        deployed = EmulatedStacks.deploy(moto, EmulatedStacks.REPO.resolve("template.yaml"), STACK, artifact, dir,
                "--parameter", "RepoUrl=https://example.com/acme/infra.git");
        assertThat(deployed.result().path("status").asText()).isEqualTo("CREATE_COMPLETE");

        var started = Instant.parse("2026-12-01T16:00:00Z");
        var stages = new LinkedHashMap<String, StageResult>();
        stages.put("network", new StageResult("network", StageStatus.APPLIED,
                new PlanSummary(1, 0, 0, List.of(new PlanSummary.ResourceChange("terraform_data.vpc", PlanSummary.Action.CREATE)), List.of()), null, started, started.plusSeconds(42), "logs/dev/" + RUN_ID + "/network.log"));
        var run = new Run(RUN_ID, "dev", RunAction.APPLY, RunStatus.SUCCEEDED, "push", "0123456789abcdef0123", started,
                started.plusSeconds(45), List.of(List.of("network")), stages, null, 0);
        var outputs = new StageOutputs("network", RUN_ID, started.plusSeconds(42), Map.of(
                "vpc_id", new StageOutputs.Output("vpc-0abc", false),
                "db_password", new StageOutputs.Output(SECRET, true)));

        // the store data, as the deployed functions write it
        var env = new LinkedHashMap<>(EmulatedStacks.awsEnv(moto));
        env.put(AwsStores.TABLE, deployed.output("TableName"));
        env.put(AwsStores.BUCKET, deployed.output("BucketName"));
        env.put(AwsStores.KMS_KEY_ID, deployed.output("KmsKeyId"));
        try (var stores = AwsStores.fromEnv(env)) {
            stores.runs().put(run);
            stores.outputs().put("dev", outputs);
            stores.locks().acquire("dev", new LockStore.LockOwner(RUN_ID, "cairn-reconcile", 0, started,
                    Instant.now().plus(Duration.ofHours(1)), "arn:aws:states:us-east-1:123456789012:execution:cairn:x"));
        }
        // the same data in a local state dir, to compare with what the local mode prints
        stateDir = dir.resolve("state");
        var workspace = new Workspace(stateDir);
        workspace.runs().put(run);
        workspace.outputs().put("dev", outputs);
        workspace.locks().acquire("dev", new LockStore.LockOwner(RUN_ID, workspace.lockHolder(), ProcessHandle.current().pid(), started));
    }

    @AfterAll
    void stop() {
        if (moto != null) moto.close();
    }

    @Test
    void statusReadsTheLastRunAndTheLockFromTheStackAndPrintsWhatTheLocalModePrints() throws Exception {
        var remote = cairn("status", repo.toString(), "--stack", STACK, "--no-color");
        assertThat(remote.exit()).as(remote.err()).isZero();
        assertThat(remote.out()).contains("dev  apply succeeded  " + RUN_ID)
                .contains("at 0123456789ab").contains("network").contains("1 to add, 0 to change, 0 to destroy").contains("locked by run " + RUN_ID)
                .contains("prod  never run");
        var local = cairn("status", repo.toString(), "--state-dir", stateDir.toString(), "--no-color");
        assertThat(local.exit()).as(local.err()).isZero();
        assertThat(remote.out()).isEqualTo(local.out());

        var json = Json.MAPPER.readTree(cairn("status", repo.toString(), "--infra", "dev", "--stack", STACK, "-o", "json").out());
        assertThat(json).hasSize(1);
        assertThat(json.at("/0/infrastructure").asText()).isEqualTo("dev");
        assertThat(json.at("/0/lastRun/id").asText()).isEqualTo(RUN_ID);
        assertThat(json.at("/0/lastRun/stages/network/status").asText()).isEqualTo("APPLIED");
        assertThat(json.at("/0/lock/runId").asText()).isEqualTo(RUN_ID);
        assertThat(json.at("/0/lock/executionArn").asText()).contains("execution:cairn");
        assertThat(json.at("/0/stagesWithOutputs").toString()).isEqualTo("[\"network\"]");
        assertThat(json.toString()).doesNotContain(SECRET);
    }

    @Test
    void outputsReadsTheStackAndNeverPrintsTheSensitiveValue() throws Exception {
        var remote = cairn("outputs", repo.toString(), "--infra", "dev", "--stack", STACK, "--no-color");
        assertThat(remote.exit()).as(remote.err()).isZero();
        assertThat(remote.out()).contains("network").contains("vpc_id = \"vpc-0abc\"").contains("db_password = (sensitive)")
                .doesNotContain(SECRET);
        assertThat(remote.err()).doesNotContain(SECRET);
        var local = cairn("outputs", repo.toString(), "--infra", "dev", "--state-dir", stateDir.toString(), "--no-color");
        assertThat(remote.out()).isEqualTo(local.out());

        var json = cairn("outputs", repo.toString(), "--infra", "dev", "--stack", STACK, "-o", "json");
        assertThat(json.exit()).as(json.err()).isZero();
        var tree = Json.MAPPER.readTree(json.out());
        assertThat(tree.at("/network/vpc_id").asText()).isEqualTo("vpc-0abc");
        assertThat(tree.at("/network/db_password").asText()).isEqualTo("(sensitive)");
        assertThat(json.out()).doesNotContain(SECRET).isEqualTo(
                cairn("outputs", repo.toString(), "--infra", "dev", "--state-dir", stateDir.toString(), "-o", "json").out());

        var none = cairn("outputs", repo.toString(), "--infra", "prod", "--stack", STACK);
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("No outputs for `prod`");
    }

    @Test
    void aStackThatDoesNotExistIsExitTwoWithAClearMessage() throws Exception {
        for (var command : List.of("status", "outputs")) {
            var run = cairn(command, repo.toString(), "--infra", "dev", "--stack", "no-such-stack");
            assertThat(run.exit()).as(run.err()).isEqualTo(2);
            assertThat(run.err()).contains("error: cannot read stack `no-such-stack`").contains("hint: is the stack deployed there?");
            assertThat(run.out()).isEmpty();
        }
    }

    @Test
    void aStackWithoutCairnsTableIsExitTwoAndSaysWhatIsMissing() throws Exception {
        var template = tmp.resolve("not-cairn.yaml");
        Files.writeString(template, """
                AWSTemplateFormatVersion: "2010-09-09"
                Transform: AWS::Serverless-2016-10-31
                Resources:
                  Bucket:
                    Type: AWS::S3::Bucket
                """);
        EmulatedStacks.deploy(moto, template, "not-cairn", EmulatedStacks.tinyJar(tmp), tmp);
        for (var command : List.of("status", "outputs")) {
            var run = cairn(command, repo.toString(), "--infra", "dev", "--stack", "not-cairn");
            assertThat(run.exit()).as(run.err()).isEqualTo(2);
            assertThat(run.err()).contains("error: stack `not-cairn` has no `Table` (AWS::DynamoDB::Table)")
                    .contains("not a Cairn stack deployed from template.yaml");
            assertThat(run.out()).isEmpty();
        }
    }

    private EmulatedStacks.Run cairn(String... args) throws Exception {
        return EmulatedStacks.cairn(moto, Map.of("CAIRN_STATE_DIR", tmp.resolve("unused-state").toString()), tmp, args);
    }

    private void write(String path, String text) throws Exception {
        var file = repo.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static String manifest(String name) {
        return """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: %s
                spec:
                  modules:
                    - name: network
                      source: ./modules/network
                      inputs:
                        cidr: "10.0.0.0/16"
                """.formatted(name);
    }
}
