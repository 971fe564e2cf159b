package dev.cairn.cli;

import dev.cairn.aws.store.AwsStores;
import dev.cairn.aws.store.Tables;
import dev.cairn.aws.testing.MotoServer;
import dev.cairn.reconciler.bundle.BundleKeys;
import dev.cairn.reconciler.bundle.StageBundle;
import dev.cairn.reconciler.bundle.StageRenderer;
import dev.cairn.reconciler.bundle.StageReport;
import dev.cairn.reconciler.graph.StageCatalog;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.manifest.RepositoryLoader;
import dev.cairn.reconciler.module.BuiltinModules;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.run.Reconciler;
import dev.cairn.reconciler.run.Redactor;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageCompletion;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.template.TemplateEngine;
import dev.cairn.reconciler.terraform.TerraformBinary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cairn stage} with a target role and stage secrets, for real: a bundle in S3 (moto) whose
 * module uses the AWS provider, built as CodeBuild would run it. Terraform sees the role the
 * build assumed ({@code aws_caller_identity} is the assumed-role session {@code cairn-RUN-STAGE}),
 * while the build's own calls keep its credentials; the secrets, one resolved by CodeBuild (a
 * value) and one read from Secrets Manager, reach {@code sensitive} variables and appear in no
 * output, log, report or plan summary.
 */
class StageCredentialsIT {
    static final String ROLE = "arn:aws:iam::123456789012:role/cairn-target";
    static final String PASSWORD = "db-pa55-w0rd-from-secrets-manager";
    static final String TOKEN = "api-t0ken-resolved-by-codebuild";
    private static MotoServer moto;
    private static AwsStores stores;
    private static Map<String, String> env;

    @TempDir
    Path tmp;

    @BeforeAll
    static void emulator() throws Exception {
        moto = MotoServer.startSerialized(Files.createTempFile("moto-stage-credentials", ".log"));
        var base = Map.of("AWS_REGION", "us-east-1", "AWS_DEFAULT_REGION", "us-east-1", "AWS_ENDPOINT_URL", moto.endpoint(),
                "AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing");
        var clients = AwsStores.Clients.fromEnv(base);
        Tables.create(clients.dynamo(), "cairn");
        clients.s3().createBucket(b -> b.bucket("cairn-blobs"));
        env = new HashMap<>(base);
        env.put(AwsStores.TABLE, "cairn");
        env.put(AwsStores.BUCKET, "cairn-blobs");
        stores = AwsStores.fromEnv(env);
        try (var secrets = SecretsManagerClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            secrets.createSecret(b -> b.name("cairn/stage/db").secretString("{\"password\":\"" + PASSWORD + "\"}"));
        }
    }

    @AfterAll
    static void stop() {
        if (stores != null) stores.close();
        if (moto != null) moto.close();
    }

    record Result(int exit, String output) {
    }

    private static Result cairn(Map<String, String> extra, String... args) throws Exception {
        var java = ProcessHandle.current().info().command().orElse("java");
        var command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), Cairn.class.getName()));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        builder.environment().putAll(extra);
        builder.environment().put("CI", "true");
        builder.environment().remove("AWS_PROFILE");
        var process = builder.start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }

    /** Prepare and Render, as the state machine's tasks do: a run record, the stage bundle in the bucket. */
    private Run renderBundle(Path repo, String runId) throws Exception {
        var loaded = new RepositoryLoader().loadValid(repo);
        var stages = Reconciler.local(loaded, new Workspace(repo.resolve(".cairn")), TerraformBinary.find(null)).stages("tgt");
        var templates = new TemplateEngine();
        var fetcher = new ModuleFetcher(tmp.resolve("git-cache"), BuiltinModules.discover());
        var renderer = new StageRenderer(new StageCatalog(fetcher, templates), fetcher, templates, StageRenderer.LocalState.IN_WORK_DIR);
        var results = new LinkedHashMap<String, StageResult>();
        stages.graph().topologicalOrder().forEach(s -> results.put(s, StageResult.pending(s)));
        var run = new Run(runId, "tgt", RunAction.APPLY, RunStatus.RUNNING, "test", "abc123", Instant.now(), null,
                stages.graph().waves(), results, null, 0);
        stores.runs().put(run);
        var dir = Files.createTempDirectory(tmp, "render-");
        var rendered = renderer.render(stages, "app", StageRenderer.Upstream.of(Map.of()), dir).orElseThrow();
        stores.blobs().put(BundleKeys.bundle("tgt", runId, "app"), StageRenderer.bundle(rendered, stages, runId, "APPLY", "abc123").toZip());
        return run;
    }

    private Path repo(String roleArn) throws Exception {
        var repo = Files.createDirectories(tmp.resolve("repo"));
        Files.writeString(repo.resolve("cairn.yaml"), "apiVersion: cairn.dev/v1\nkind: Repository\ninfrastructures: infrastructures\nmodules: modules\n");
        Files.createDirectories(repo.resolve("infrastructures"));
        Files.writeString(repo.resolve("infrastructures/tgt.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: tgt
                spec:
                  provider: { cloud: aws, region: us-east-1, emulator: true, roleArn: "%s", externalId: cairn-ext-7 }
                  modules:
                    - name: app
                      source: ./modules/app
                """.formatted(roleArn));
        Files.createDirectories(repo.resolve("modules/app"));
        Files.writeString(repo.resolve("modules/app/main.tf"), """
                terraform {
                  required_providers {
                    aws = { source = "hashicorp/aws" }
                  }
                }

                variable "db_password" {
                  type      = string
                  sensitive = true
                }

                variable "api_token" {
                  type      = string
                  sensitive = true
                }

                data "aws_caller_identity" "this" {}

                resource "terraform_data" "this" {
                  input = data.aws_caller_identity.this.arn
                }

                output "caller_arn" {
                  value = data.aws_caller_identity.this.arn
                }

                output "db_password_sha256" {
                  value = nonsensitive(sha256(var.db_password))
                }

                output "api_token_sha256" {
                  value = nonsensitive(sha256(var.api_token))
                }
                """);
        return repo;
    }

    private static StageReport report(String runId) throws Exception {
        return Json.MAPPER.readValue(stores.blobs().get(BundleKeys.result("tgt", runId, "app")).orElseThrow(), StageReport.class);
    }

    private static String blob(String key) {
        return new String(stores.blobs().get(key).orElseThrow(), StandardCharsets.UTF_8);
    }

    static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    static Map<String, String> buildEnv() {
        return Map.of("CAIRN_TARGET_ROLE_ARN", ROLE, "CAIRN_TARGET_SESSION_SECONDS", "900",
                "CAIRN_STAGE_SECRETS", "{\"TF_VAR_db_password\": {\"secretId\": \"cairn/stage/db\", \"jsonKey\": \"password\"},"
                        + " \"TF_VAR_api_token\": \"" + TOKEN + "\"}");
    }

    @Test
    void terraformRunsAsTheAssumedRoleAndTheSecretsReachSensitiveVariablesButNoLogOrReport() throws Exception {
        var runId = "20261202T010000Z-cred01";
        renderBundle(repo(ROLE), runId);
        var bundle = StageBundle.fromZip(stores.blobs().get(BundleKeys.bundle("tgt", runId, "app")).orElseThrow());
        assertThat(new String(bundle.files().get(StageRenderer.PROVIDER), StandardCharsets.UTF_8))
                .contains("assume_role").contains(ROLE).contains("cairn-ext-7");

        var plan = cairn(buildEnv(), "stage", "plan", "--infra", "tgt", "--run", runId, "--stage", "app");
        assertThat(plan.exit()).as(plan.output()).isZero();
        var planned = report(runId);
        assertThat(planned.status()).isEqualTo(StageStatus.PLANNED);
        new StageCompletion(stores.runs(), stores.outputs()).complete(planned, new Redactor());

        var apply = cairn(buildEnv(), "stage", "apply", "--infra", "tgt", "--run", runId, "--stage", "app");
        assertThat(apply.exit()).as(apply.output()).isZero();
        var applied = report(runId);
        assertThat(applied.status()).isEqualTo(StageStatus.APPLIED);
        // Terraform's identity: the session the build assumed, not the build's own user
        assertThat(applied.outputs().get("caller_arn").value())
                .isEqualTo("arn:aws:sts::123456789012:assumed-role/cairn-target/cairn-" + runId + "-app");
        // both secrets reached their variables
        assertThat(applied.outputs().get("db_password_sha256").value()).isEqualTo(sha256(PASSWORD));
        assertThat(applied.outputs().get("api_token_sha256").value()).isEqualTo(sha256(TOKEN));
        // and were never shown: build output, stage log, reports, plan summary, state
        var everything = String.join("\n", plan.output(), apply.output(), blob(BundleKeys.log("tgt", runId, "app")),
                blob(BundleKeys.result("tgt", runId, "app")), blob(BundleKeys.planSummary("tgt", runId, "app")),
                blob(BundleKeys.state("tgt", "app")));
        assertThat(everything).doesNotContain(PASSWORD).doesNotContain(TOKEN).doesNotContain("TF_VAR_db_password=");
        assertThat(everything).contains("assumed-role/cairn-target");
    }

    @Test
    void aBundleThatAssumesAnotherRoleThanTheBuildWasGivenIsRefused() throws Exception {
        var runId = "20261202T011000Z-cred02";
        renderBundle(repo("arn:aws:iam::123456789012:role/someone-else"), runId);

        var plan = cairn(buildEnv(), "stage", "plan", "--infra", "tgt", "--run", runId, "--stage", "app");

        assertThat(plan.exit()).as(plan.output()).isEqualTo(Cairn.RUN_FAILED);
        assertThat(report(runId).error()).contains("the stage bundle assumes arn:aws:iam::123456789012:role/someone-else")
                .contains("CAIRN_TARGET_ROLE_ARN=" + ROLE);
        assertThat(stores.blobs().get(BundleKeys.plan("tgt", runId, "app"))).isEmpty();
    }

    @Test
    void aPreviewGivenNoPreviewRoleNeverAssumesTheManifestsApplyRole() throws Exception {
        var runId = "20261202T013000Z-pcred04cred04cred";
        renderBundle(repo(ROLE), runId);

        // the preview project passes spec.provider.previewRoleArn as CAIRN_TARGET_ROLE_ARN: here the manifest sets none
        var preview = cairn(Map.of(), "stage", "preview", "--infra", "tgt", "--run", runId, "--stage", "app");

        assertThat(preview.exit()).as(preview.output()).isEqualTo(Cairn.RUN_FAILED);
        var reported = stores.blobs().get(BundleKeys.result("tgt", runId, "app")).map(b -> new String(b, StandardCharsets.UTF_8)).orElse("");
        assertThat(preview.output() + reported).contains("a preview never assumes spec.provider.roleArn (" + ROLE + ")")
                .contains("Set spec.provider.previewRoleArn");
        assertThat(preview.output()).doesNotContain("assumed-role/cairn-target");
        assertThat(stores.blobs().get(BundleKeys.planSummary("tgt", runId, "app"))).isEmpty();
    }

    @Test
    void malformedStageSecretsAreRefusedWithoutShowingThem() throws Exception {
        var runId = "20261202T012000Z-cred03";
        renderBundle(repo(ROLE), runId);

        var plan = cairn(Map.of("CAIRN_TARGET_ROLE_ARN", ROLE, "CAIRN_STAGE_SECRETS", "{\"TF_VAR_db_password\": \"" + PASSWORD + "\","),
                "stage", "plan", "--infra", "tgt", "--run", runId, "--stage", "app");
        var reserved = cairn(Map.of("CAIRN_STAGE_SECRETS", "{\"AWS_SECRET_ACCESS_KEY\": \"" + PASSWORD + "\"}"),
                "stage", "plan", "--infra", "tgt", "--run", runId, "--stage", "app");

        assertThat(plan.exit()).isEqualTo(Cairn.RUN_FAILED);
        assertThat(plan.output()).contains("CAIRN_STAGE_SECRETS is not JSON").contains("its content is not shown").doesNotContain(PASSWORD);
        assertThat(reserved.exit()).isEqualTo(Cairn.RUN_FAILED);
        assertThat(reserved.output()).contains("`AWS_SECRET_ACCESS_KEY` cannot be set").doesNotContain(PASSWORD);
        assertThat(blob(BundleKeys.log("tgt", runId, "app"))).doesNotContain(PASSWORD);
    }
}
