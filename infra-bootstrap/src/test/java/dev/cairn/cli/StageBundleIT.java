package dev.cairn.cli;

import dev.cairn.aws.store.AwsStores;
import dev.cairn.aws.store.Tables;
import dev.cairn.aws.testing.MotoServer;
import dev.cairn.reconciler.bundle.BundleKeys;
import dev.cairn.reconciler.bundle.StageBundle;
import dev.cairn.reconciler.bundle.StageRenderer;
import dev.cairn.reconciler.bundle.StageReport;
import dev.cairn.reconciler.graph.StageCatalog;
import dev.cairn.reconciler.graph.Stages;
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

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CodeBuild half of a stage, for real: a stage rendered and stored as a bundle in S3 (moto),
 * {@code cairn stage plan} and {@code cairn stage apply} run as separate processes in fresh work
 * dirs (as two builds would), and the saved plan, its summary, the result and the log come back
 * to the bucket; the Record step ({@link StageCompletion}) then puts the result on the run and the
 * outputs in DynamoDB, where the next stage is rendered from. A plan whose SHA-256 differs from
 * the recorded one is refused and nothing is applied.
 */
class StageBundleIT {
    private static MotoServer moto;
    private static AwsStores stores;
    private static Map<String, String> env;

    @TempDir
    Path tmp;

    @BeforeAll
    static void emulator() throws Exception {
        moto = MotoServer.startSerialized(Files.createTempFile("moto-stage-bundle", ".log"));
        var base = Map.of("AWS_REGION", "us-east-1", "AWS_DEFAULT_REGION", "us-east-1", "AWS_ENDPOINT_URL", moto.endpoint(),
                "AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing");
        var clients = AwsStores.Clients.fromEnv(base);
        Tables.create(clients.dynamo(), "cairn");
        clients.s3().createBucket(b -> b.bucket("cairn-blobs"));
        var keyId = clients.kms().createKey(b -> b.description("cairn stage bundle tests")).keyMetadata().keyId();
        env = new HashMap<>(base);
        env.put(AwsStores.TABLE, "cairn");
        env.put(AwsStores.BUCKET, "cairn-blobs");
        env.put(AwsStores.KMS_KEY_ID, keyId);
        stores = AwsStores.fromEnv(env);
    }

    @AfterAll
    static void stop() {
        if (stores != null) stores.close();
        if (moto != null) moto.close();
    }

    record Result(int exit, String output) {
    }

    private Result cairn(String... args) throws Exception {
        var java = ProcessHandle.current().info().command().orElse("java");
        var command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), Cairn.class.getName()));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        builder.environment().put("CI", "true");
        builder.environment().remove("AWS_PROFILE");
        var process = builder.start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }

    /** What the Prepare step does for these tests: the repo's stages, and a run record with every stage pending. */
    private record Prepared(Stages stages, StageRenderer renderer, Run run) {
    }

    private Prepared prepare(Path repo, String infra, String runId) {
        var state = tmp.resolve("state");
        return prepare(repo, infra, runId, (i, s) -> state.resolve(i).resolve(s + ".tfstate").toString());
    }

    private Prepared prepare(Path repo, String infra, String runId, StageRenderer.LocalState localState) {
        var loaded = new RepositoryLoader().loadValid(repo);
        var stages = Reconciler.local(loaded, new Workspace(repo.resolve(".cairn")), TerraformBinary.find(null)).stages(infra);
        var templates = new TemplateEngine();
        var fetcher = new ModuleFetcher(tmp.resolve("git-cache"), BuiltinModules.discover());
        var renderer = new StageRenderer(new StageCatalog(fetcher, templates), fetcher, templates, localState);
        var results = new LinkedHashMap<String, StageResult>();
        stages.graph().topologicalOrder().forEach(s -> results.put(s, StageResult.pending(s)));
        var run = new Run(runId, infra, RunAction.APPLY, RunStatus.RUNNING, "test", "abc123", Instant.now(), null,
                stages.graph().waves(), results, null, 0);
        stores.runs().put(run);
        return new Prepared(stages, renderer, run);
    }

    /** The Render step: the stage from the stored outputs, as one archive in the bucket. */
    private void render(Prepared p, String stage) throws Exception {
        var upstream = StageRenderer.Upstream.of(stores.outputs().all(p.run().infrastructure()));
        var dir = Files.createTempDirectory(tmp, "render-");
        var rendered = p.renderer().render(p.stages(), stage, upstream, dir).orElseThrow();
        var bundle = StageRenderer.bundle(rendered, p.stages(), p.run().id(), "APPLY", p.run().revision());
        stores.blobs().put(BundleKeys.bundle(p.run().infrastructure(), p.run().id(), stage), bundle.toZip());
    }

    private static StageReport report(String infra, String runId, String stage) throws Exception {
        return Json.MAPPER.readValue(stores.blobs().get(BundleKeys.result(infra, runId, stage)).orElseThrow(), StageReport.class);
    }

    private static String blob(String key) {
        return new String(stores.blobs().get(key).orElseThrow(), StandardCharsets.UTF_8);
    }

    @Test
    void quickstartStagesPlanAndApplyFromBundlesInS3AndATamperedPlanIsRefused() throws Exception {
        var repo = Examples.copy("quickstart", tmp.resolve("quickstart"));
        var p = prepare(repo, "dev", "20261201T120000Z-aaaaaa");
        var completion = new StageCompletion(stores.runs(), stores.outputs());
        var runId = p.run().id();

        render(p, "backend");
        var plan = cairn("stage", "plan", "--infra", "dev", "--run", runId, "--stage", "backend");
        assertThat(plan.exit()).as(plan.output()).isZero();
        var planned = report("dev", runId, "backend");
        assertThat(planned.status()).isEqualTo(StageStatus.PLANNED);
        assertThat(planned.plan().add()).isEqualTo(1);
        var savedPlan = stores.blobs().get(BundleKeys.plan("dev", runId, "backend")).orElseThrow();
        assertThat(planned.planSha256()).isEqualTo(StageBundle.sha256(savedPlan));
        assertThat(planned.planKey()).isEqualTo("plans/dev/" + runId + "/backend.tfplan");
        assertThat(blob(BundleKeys.planSummary("dev", runId, "backend"))).contains("terraform_data.this");
        var recorded = completion.complete(planned, new Redactor());
        assertThat(recorded.stage("backend").status()).isEqualTo(StageStatus.PLANNED);
        assertThat(stores.runs().get("dev", runId).orElseThrow().stage("backend").planSha256()).isEqualTo(planned.planSha256());

        // another plan in its place: refused, nothing applied (no state written), the refusal recorded
        var tampered = savedPlan.clone();
        tampered[tampered.length / 2] ^= 1;
        stores.blobs().put(BundleKeys.plan("dev", runId, "backend"), tampered);
        var refused = cairn("stage", "apply", "--infra", "dev", "--run", runId, "--stage", "backend");
        assertThat(refused.exit()).as(refused.output()).isEqualTo(Cairn.RUN_FAILED);
        assertThat(refused.output()).contains("refusing to apply a plan other than the one reviewed").contains("nothing was applied")
                .contains(planned.planSha256());
        assertThat(tmp.resolve("state/dev/backend.tfstate")).doesNotExist();
        assertThat(report("dev", runId, "backend").status()).isEqualTo(StageStatus.FAILED);

        // the reviewed plan: applied in a fresh work dir, with the checksum from the run record
        stores.blobs().put(BundleKeys.plan("dev", runId, "backend"), savedPlan);
        var apply = cairn("stage", "apply", "--infra", "dev", "--run", runId, "--stage", "backend");
        assertThat(apply.exit()).as(apply.output()).isZero();
        var applied = report("dev", runId, "backend");
        assertThat(applied.status()).isEqualTo(StageStatus.APPLIED);
        assertThat(applied.outputs().get("state_bucket").value()).isEqualTo("acme-dev-state");
        assertThat(tmp.resolve("state/dev/backend.tfstate")).exists();
        completion.complete(applied, new Redactor());
        assertThat(stores.outputs().get("dev", "backend").orElseThrow().plain()).containsEntry("state_bucket", "acme-dev-state");
        var log = blob(BundleKeys.log("dev", runId, "backend"));
        assertThat(log).contains("plan").contains("apply").contains("refusing to apply");

        // the next stage is rendered from what the Record step stored, and applied with --plan-sha256
        render(p, "network");
        var networkPlan = cairn("stage", "plan", "--infra", "dev", "--run", runId, "--stage", "network");
        assertThat(networkPlan.exit()).as(networkPlan.output()).isZero();
        var sha = report("dev", runId, "network").planSha256();
        var networkApply = cairn("stage", "apply", "--infra", "dev", "--run", runId, "--stage", "network", "--plan-sha256", sha);
        assertThat(networkApply.exit()).as(networkApply.output()).isZero();
        var run = completion.complete(report("dev", runId, "network"), new Redactor());
        assertThat(run.stage("network").status()).isEqualTo(StageStatus.APPLIED);
        assertThat(run.stage("network").log()).isEqualTo("logs/dev/" + runId + "/network.log");
        assertThat((String) stores.outputs().get("dev", "network").orElseThrow().plain().get("vpc_id")).startsWith("vpc-");
    }

    @Test
    void anAwsProviderModuleCreatesItsBucketOnTheEmulatorFromABundle() throws Exception {
        var repo = Files.createDirectories(tmp.resolve("aws-repo"));
        Files.writeString(repo.resolve("cairn.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Repository
                infrastructures: infrastructures
                modules: modules
                """);
        Files.createDirectories(repo.resolve("infrastructures"));
        Files.writeString(repo.resolve("infrastructures/emu.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: emu
                spec:
                  provider: { cloud: aws, region: us-east-1, emulator: true }
                  modules:
                    - name: bucket
                      source: ./modules/bucket
                      inputs:
                        bucket_name: cairn-stage-bundle-it
                """);
        Files.createDirectories(repo.resolve("modules/bucket"));
        Files.writeString(repo.resolve("modules/bucket/main.tf"), """
                terraform {
                  required_providers {
                    aws = { source = "hashicorp/aws" }
                  }
                }

                variable "bucket_name" {
                  type = string
                }

                resource "aws_s3_bucket" "this" {
                  bucket        = var.bucket_name
                  force_destroy = true
                }

                output "bucket_arn" {
                  value = aws_s3_bucket.this.arn
                }
                """);
        // as in AWS: the local state lives in the work dir, kept in the bucket between builds
        var p = prepare(repo, "emu", "20261201T130000Z-bbbbbb", StageRenderer.LocalState.IN_WORK_DIR);
        var runId = p.run().id();
        render(p, "bucket");
        var bundle = StageBundle.fromZip(stores.blobs().get(BundleKeys.bundle("emu", runId, "bucket")).orElseThrow());
        assertThat(bundle.files()).containsKey(StageRenderer.PROVIDER);

        var plan = cairn("stage", "plan", "--infra", "emu", "--run", runId, "--stage", "bucket");
        assertThat(plan.exit()).as(plan.output()).isZero();
        var planned = report("emu", runId, "bucket");
        assertThat(planned.status()).isEqualTo(StageStatus.PLANNED);
        assertThat(planned.plan().resources()).extracting(r -> r.address()).containsExactly("aws_s3_bucket.this");
        var completion = new StageCompletion(stores.runs(), stores.outputs());
        completion.complete(planned, new Redactor());

        var apply = cairn("stage", "apply", "--infra", "emu", "--run", runId, "--stage", "bucket");
        assertThat(apply.exit()).as(apply.output()).isZero();
        var applied = report("emu", runId, "bucket");
        assertThat(applied.status()).isEqualTo(StageStatus.APPLIED);
        stores.s3().headBucket(b -> b.bucket("cairn-stage-bundle-it"));
        var run = completion.complete(applied, new Redactor());
        assertThat(run.stage("bucket").status()).isEqualTo(StageStatus.APPLIED);
        assertThat(run.stage("bucket").plan().add()).isEqualTo(1);
        assertThat(stores.outputs().get("emu", "bucket").orElseThrow().plain()).containsEntry("bucket_arn", "arn:aws:s3:::cairn-stage-bundle-it");
        assertThat(blob(BundleKeys.log("emu", runId, "bucket"))).contains("aws_s3_bucket.this");
        assertThat(blob(BundleKeys.state("emu", "bucket"))).contains("cairn-stage-bundle-it");

        // the next run's build starts from an empty work dir: the state comes from the bucket, nothing to change
        var next = prepare(repo, "emu", "20261201T140000Z-cccccc", StageRenderer.LocalState.IN_WORK_DIR);
        render(next, "bucket");
        var again = cairn("stage", "plan", "--infra", "emu", "--run", next.run().id(), "--stage", "bucket");
        assertThat(again.exit()).as(again.output()).isZero();
        var unchanged = report("emu", next.run().id(), "bucket");
        assertThat(unchanged.status()).isEqualTo(StageStatus.NO_CHANGES);
        assertThat(unchanged.planKey()).isNull();
        assertThat(unchanged.outputs().get("bucket_arn").value()).isEqualTo("arn:aws:s3:::cairn-stage-bundle-it");
        assertThat(stores.blobs().get(BundleKeys.plan("emu", next.run().id(), "bucket"))).isEmpty();
    }

    @Test
    void aSensitiveOutputReachesTheOutputStoreSealedAndNeverTheLogOrTheBuildOutput() throws Exception {
        var repo = Files.createDirectories(tmp.resolve("secret-repo"));
        Files.writeString(repo.resolve("cairn.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Repository
                infrastructures: infrastructures
                modules: modules
                """);
        Files.createDirectories(repo.resolve("infrastructures"));
        Files.writeString(repo.resolve("infrastructures/sec.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: sec
                spec:
                  modules:
                    - name: secret
                      source: ./modules/secret
                """);
        Files.createDirectories(repo.resolve("modules/secret"));
        Files.writeString(repo.resolve("modules/secret/main.tf"), """
                resource "terraform_data" "seed" {
                  input = "seed"
                }

                output "password" {
                  value     = "pw-${terraform_data.seed.id}"
                  sensitive = true
                }
                """);
        var p = prepare(repo, "sec", "20261201T150000Z-dddddd", StageRenderer.LocalState.IN_WORK_DIR);
        var runId = p.run().id();
        render(p, "secret");
        var plan = cairn("stage", "plan", "--infra", "sec", "--run", runId, "--stage", "secret");
        assertThat(plan.exit()).as(plan.output()).isZero();
        var apply = cairn("stage", "apply", "--infra", "sec", "--run", runId, "--stage", "secret",
                "--plan-sha256", report("sec", runId, "secret").planSha256());
        assertThat(apply.exit()).as(apply.output()).isZero();
        var applied = report("sec", runId, "secret");
        var password = (String) applied.outputs().get("password").value();
        assertThat(password).startsWith("pw-").hasSizeGreaterThan(10);
        assertThat(applied.outputs().get("password").sensitive()).isTrue();
        assertThat(apply.output()).containsPattern("\"password\"\\s*:\\s*\"\\(sensitive\\)\"").doesNotContain(password);
        assertThat(blob(BundleKeys.log("sec", runId, "secret"))).doesNotContain(password);

        new StageCompletion(stores.runs(), stores.outputs()).complete(applied, new Redactor());
        var stored = stores.outputs().get("sec", "secret").orElseThrow().values().get("password");
        assertThat(stored.sensitive()).isTrue();
        assertThat(stored.value()).isEqualTo(password);
        // the item in DynamoDB holds the value sealed with KMS, never in clear
        var item = stores.dynamo().getItem(b -> b.tableName("cairn").key(Map.of(
                "pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("INFRA#sec"),
                "sk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("OUTPUT#secret")))).item();
        assertThat(item).isNotEmpty();
        assertThat(item.toString()).doesNotContain(password);
    }

    @Test
    void withoutABucketTheBundleComesFromTheLocalStateDir() throws Exception {
        var repo = Examples.copy("quickstart", tmp.resolve("local-quickstart"));
        var workspace = new Workspace(tmp.resolve("state-dir"));
        var loaded = new RepositoryLoader().loadValid(repo);
        var stages = Reconciler.local(loaded, new Workspace(repo.resolve(".cairn")), TerraformBinary.find(null)).stages("dev");
        var templates = new TemplateEngine();
        var fetcher = new ModuleFetcher(tmp.resolve("git-cache"), BuiltinModules.discover());
        var renderer = new StageRenderer(new StageCatalog(fetcher, templates), fetcher, templates, StageRenderer.LocalState.IN_WORK_DIR);
        var run = Run.start("20261201T160000Z-eeeeee", stages, RunAction.APPLY, "test", null);
        workspace.runs().put(run);
        var bundle = renderer.renderBundle(stages, "backend", StageRenderer.Upstream.of(Map.of()), run.id(), "APPLY", null).orElseThrow();
        workspace.blobs().put(BundleKeys.bundle("dev", run.id(), "backend"), bundle.toZip());

        var java = ProcessHandle.current().info().command().orElse("java");
        var command = List.of(java, "-cp", System.getProperty("java.class.path"), Cairn.class.getName(),
                "stage", "plan", "--infra", "dev", "--run", run.id(), "--stage", "backend", "--state-dir", workspace.root().toString());
        var builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove(AwsStores.BUCKET);
        builder.environment().remove(AwsStores.TABLE);
        var process = builder.start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();

        var report = Json.MAPPER.readValue(workspace.blobs().get(BundleKeys.result("dev", run.id(), "backend")).orElseThrow(), StageReport.class);
        assertThat(report.status()).isEqualTo(StageStatus.PLANNED);
        assertThat(workspace.root().resolve(BundleKeys.plan("dev", run.id(), "backend"))).exists();
        assertThat(workspace.root().resolve(BundleKeys.log("dev", run.id(), "backend"))).content().contains("terraform plan");
        // the run record of the state dir is where the Record step writes, as in AWS
        var recorded = new StageCompletion(workspace.runs(), workspace.outputs()).complete(report, new Redactor());
        assertThat(recorded.stage("backend").planSha256()).isEqualTo(report.planSha256());
        assertThat(recorded.stage("backend").log()).isEqualTo(BundleKeys.log("dev", run.id(), "backend"));
    }
}
