package dev.cairn.reconciler.bundle;

import dev.cairn.reconciler.RepoFiles;
import dev.cairn.reconciler.graph.StageCatalog;
import dev.cairn.reconciler.manifest.RepositoryLoader;
import dev.cairn.reconciler.module.BuiltinModules;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.run.Confirmation;
import dev.cairn.reconciler.run.Reconciler;
import dev.cairn.reconciler.run.RunListener;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.Redactor;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.template.TemplateEngine;
import dev.cairn.reconciler.terraform.StageRunner;
import dev.cairn.reconciler.terraform.TerraformBinary;
import dev.cairn.reconciler.terraform.TerraformCli;
import dev.cairn.reconciler.terraform.TerraformEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The renderer's bundle of a real quickstart stage: what local mode rendered into its work dir,
 * the archive, and the archive extracted elsewhere hold the same files, and real Terraform finds
 * the extracted stage complete (init and a no-change plan against the applied state).
 */
class BundleRoundTripIT {

    @TempDir
    Path tmp;

    @Test
    void aRenderedStageRoundTripsThroughTheArchiveAndTerraformPlansItAsIs() throws Exception {
        var repo = RepoFiles.copyQuickstart(tmp.resolve("repo"));
        var loaded = new RepositoryLoader().loadValid(repo);
        var workspace = new Workspace(repo.resolve(".cairn"));
        var terraform = TerraformBinary.find(null);
        var reconciler = Reconciler.local(loaded, workspace, terraform);
        var run = reconciler.apply("dev", new Reconciler.Options("test", 4, Confirmation.AUTO, RunListener.NONE));
        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);

        // the Render step's view: the stored outputs only, rendered into a dir of its own
        var templates = new TemplateEngine();
        var fetcher = new ModuleFetcher(tmp.resolve("git-cache"), BuiltinModules.discover());
        var renderer = new StageRenderer(new StageCatalog(fetcher, templates), fetcher, templates,
                (infra, stage) -> workspace.localState(infra, stage).toString());
        var stages = reconciler.stages("dev");
        var upstream = StageRenderer.Upstream.of(workspace.outputs().all("dev"));
        var renderDir = tmp.resolve("render/kubernetes");
        var rendered = renderer.render(stages, "kubernetes", upstream, renderDir).orElseThrow();
        var bundle = StageRenderer.bundle(rendered, stages, "run-1", "APPLY", "abc123");

        // the same files as the local run's work dir (Terraform's own data aside)
        var local = StageBundle.fromDirectory(workspace.workDir("dev", "kubernetes"), bundle.manifest());
        assertThat(bundle.files().keySet()).contains("main.tf", StageRenderer.TFVARS, StageRenderer.BACKEND)
                .isEqualTo(local.files().keySet());
        assertThat(bundle.sameFiles(local.files())).isTrue();
        assertThat(rendered.inputsSha256()).isEqualTo(StageBundle.sha256(Files.readAllBytes(renderDir.resolve(StageRenderer.TFVARS))));

        // the archive: deterministic, and it extracts to exactly the rendered files plus the manifest
        var archive = bundle.toZip();
        assertThat(StageRenderer.bundle(rendered, stages, "run-1", "APPLY", "abc123").toZip()).isEqualTo(archive);
        var back = StageBundle.fromZip(archive);
        assertThat(back.manifest()).isEqualTo(bundle.manifest());
        assertThat(back.manifest().inputsSha256()).isEqualTo(rendered.inputsSha256());
        var extracted = tmp.resolve("extracted");
        back.writeTo(extracted);
        var onDisk = new TreeMap<String, byte[]>();
        try (Stream<Path> walk = Files.walk(extracted)) {
            for (var p : walk.filter(Files::isRegularFile).toList()) onDisk.put(extracted.relativize(p).toString(), Files.readAllBytes(p));
        }
        assertThat(onDisk.remove(BundleManifest.FILE)).isNotNull();
        assertThat(bundle.sameFiles(onDisk)).isTrue();

        // real terraform: the extracted stage is complete, and matches what was applied
        var runner = new StageRunner(new TerraformCli(terraform, TerraformEnvironment.create(tmp)));
        var log = new StringWriter();
        runner.init(extracted, log, new Redactor());
        var plan = runner.plan(extracted, false, log, new Redactor());
        assertThat(plan.summary().hasChanges()).as(log.toString()).isFalse();
        assertThat(plan.plannedOutputs()).containsKey("cluster_name");
    }
}
