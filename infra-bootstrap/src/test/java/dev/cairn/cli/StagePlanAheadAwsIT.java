package dev.cairn.cli;

import dev.cairn.aws.store.AwsStores;
import dev.cairn.aws.store.Tables;
import dev.cairn.aws.testing.MotoServer;
import dev.cairn.reconciler.bundle.AheadReport;
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
 * The plan-ahead build on the AWS stores, for real: moto's S3 (SSE-KMS) and DynamoDB, real
 * Terraform. After {@code backend} and {@code network} of the quickstart's dev are applied, a new
 * run's ahead bundles (rendered from the stored outputs) are planned by ONE
 * {@code cairn stage plan_ahead} process: the applied stages report no changes from their bundle's
 * inputs, a stage never applied reports its changes, a broken bundle fails that stage's report
 * only (the process succeeds), a stage without an ahead bundle is not planned, and nothing a
 * build would leave (saved plan, stage report) is written.
 */
class StagePlanAheadAwsIT {
    private static MotoServer moto;
    private static AwsStores stores;
    private static Map<String, String> env;

    @TempDir
    Path tmp;

    @BeforeAll
    static void emulator() throws Exception {
        moto = MotoServer.startSerialized(Files.createTempFile("moto-plan-ahead", ".log"));
        var base = Map.of("AWS_REGION", "us-east-1", "AWS_DEFAULT_REGION", "us-east-1", "AWS_ENDPOINT_URL", moto.endpoint(),
                "AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing");
        var clients = AwsStores.Clients.fromEnv(base);
        Tables.create(clients.dynamo(), "cairn");
        clients.s3().createBucket(b -> b.bucket("cairn-blobs"));
        var keyId = clients.kms().createKey(b -> b.description("cairn plan-ahead tests")).keyMetadata().keyId();
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

    @Test
    void oneProcessPlansEveryAheadBundleAndReportsEachStageApart() throws Exception {
        var repo = Examples.copy("quickstart", tmp.resolve("quickstart"));
        var loaded = new RepositoryLoader().loadValid(repo);
        var stages = Reconciler.local(loaded, new Workspace(repo.resolve(".cairn")), TerraformBinary.find(null)).stages("dev");
        var templates = new TemplateEngine();
        var fetcher = new ModuleFetcher(tmp.resolve("git-cache"), BuiltinModules.discover());
        var state = tmp.resolve("state");
        var renderer = new StageRenderer(new StageCatalog(fetcher, templates), fetcher, templates,
                (i, s) -> state.resolve(i).resolve(s + ".tfstate").toString());
        var completion = new StageCompletion(stores.runs(), stores.outputs());

        var first = run(stages, "20261202T100000Z-aaaaaa");
        for (var stage : List.of("backend", "network")) {
            stores.blobs().put(BundleKeys.bundle("dev", first.id(), stage), bundle(renderer, stages, first, stage));
            var plan = cairn(Map.of(), "stage", "plan", "--infra", "dev", "--run", first.id(), "--stage", stage);
            assertThat(plan.exit()).as(plan.output()).isZero();
            var sha = report(first.id(), stage).planSha256();
            var apply = cairn(Map.of(), "stage", "apply", "--infra", "dev", "--run", first.id(), "--stage", stage, "--plan-sha256", sha);
            assertThat(apply.exit()).as(apply.output()).isZero();
            completion.complete(report(first.id(), stage), new Redactor());
        }

        var second = run(stages, "20261202T110000Z-bbbbbb");
        var zips = new LinkedHashMap<String, byte[]>();
        for (var stage : List.of("backend", "network", "kubernetes")) {
            zips.put(stage, bundle(renderer, stages, second, stage));
            stores.blobs().put(BundleKeys.aheadBundle("dev", second.id(), stage), zips.get(stage));
        }
        // domain's ahead bundle is network's: refused for that stage alone
        stores.blobs().put(BundleKeys.aheadBundle("dev", second.id(), "domain"), zips.get("network"));

        var ahead = cairn(Map.of("CAIRN_PARALLELISM", "2"), "stage", "plan_ahead", "--infra", "dev", "--run", second.id());
        assertThat(ahead.exit()).as(ahead.output()).isZero();
        assertThat(ahead.output()).contains("plan_ahead", "# plan ahead: network", "\"domain\" : \"FAILED\"", "\"backend\" : \"NO_CHANGES\"");

        for (var stage : List.of("backend", "network")) {
            var report = ahead(second.id(), stage);
            assertThat(report.status()).as(stage).isEqualTo(StageStatus.NO_CHANGES);
            assertThat(report.plan().hasChanges()).isFalse();
            assertThat(report.inputsSha256()).isEqualTo(StageBundle.fromZip(zips.get(stage)).manifest().inputsSha256());
            assertThat(report.bundleSha256()).isEqualTo(StageBundle.sha256(zips.get(stage)));
            assertThat(report.noChangesFor(StageBundle.fromZip(zips.get(stage)), zips.get(stage))).isTrue();
            assertThat(report.timings().commands()).containsKeys("init", "plan");
            assertThat(report.log()).isEqualTo(BundleKeys.log("dev", second.id(), stage));
        }
        assertThat(ahead(second.id(), "backend").noChangesFor(StageBundle.fromZip(zips.get("network")), zips.get("network")))
                .as("another bundle never stands for it").isFalse();
        var kubernetes = ahead(second.id(), "kubernetes");
        assertThat(kubernetes.status()).as("never applied: its plan creates it").isEqualTo(StageStatus.PLANNED);
        assertThat(kubernetes.plan().add()).isPositive();
        var domain = ahead(second.id(), "domain");
        assertThat(domain.status()).isEqualTo(StageStatus.FAILED);
        assertThat(domain.error()).contains("rendered for another stage");
        for (var stage : stages.graph().stages()) {
            assertThat(stores.blobs().get(BundleKeys.result("dev", second.id(), stage))).as(stage + ": no build report").isEmpty();
            assertThat(stores.blobs().get(BundleKeys.plan("dev", second.id(), stage))).as(stage + ": no saved plan").isEmpty();
        }
        assertThat(stores.blobs().get(BundleKeys.ahead("dev", second.id(), "addons"))).as("no ahead bundle: not planned").isEmpty();
        assertThat(new String(stores.blobs().get(BundleKeys.log("dev", second.id(), "network")).orElseThrow(), StandardCharsets.UTF_8))
                .contains("# plan ahead: network", "terraform");
    }

    private static Run run(Stages stages, String runId) {
        var results = new LinkedHashMap<String, StageResult>();
        stages.graph().topologicalOrder().forEach(s -> results.put(s, StageResult.pending(s)));
        var run = new Run(runId, "dev", RunAction.APPLY, RunStatus.RUNNING, "test", "abc123", Instant.now(), null,
                stages.graph().waves(), results, null, 0);
        stores.runs().put(run);
        return run;
    }

    /** What Render (or Prepare, ahead) stores: the stage rendered from the stored outputs, as one archive. */
    private byte[] bundle(StageRenderer renderer, Stages stages, Run run, String stage) throws Exception {
        var upstream = StageRenderer.Upstream.of(stores.outputs().all("dev"));
        var rendered = renderer.render(stages, stage, upstream, Files.createTempDirectory(tmp, "render-")).orElseThrow();
        return StageRenderer.bundle(rendered, stages, run.id(), "APPLY", run.revision()).toZip();
    }

    private static StageReport report(String runId, String stage) throws Exception {
        return Json.MAPPER.readValue(stores.blobs().get(BundleKeys.result("dev", runId, stage)).orElseThrow(), StageReport.class);
    }

    private static AheadReport ahead(String runId, String stage) throws Exception {
        return Json.MAPPER.readValue(stores.blobs().get(BundleKeys.ahead("dev", runId, stage)).orElseThrow(), AheadReport.class);
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
}
