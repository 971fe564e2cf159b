package dev.cairn.functions.reconcile;

import dev.cairn.reconciler.manifest.RepoConfig;
import dev.cairn.functions.GitMirror;
import dev.cairn.reconciler.bundle.BundleKeys;
import dev.cairn.reconciler.bundle.StageBundle;
import dev.cairn.reconciler.bundle.StageRenderer;
import dev.cairn.reconciler.bundle.StageReport;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.terraform.PlanSummary;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.Workspace;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.transport.RefSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Prepare's planner on a real git repository (the quickstart, committed with JGit and fetched
 * through {@link GitMirror} from a {@code file://} remote): the stage DAG from the core's catalog,
 * the policy per stage, and the snapshot of the commit in the blob store.
 */
class ReconcileRepoPlannerTest {
    @TempDir
    Path tmp;

    private String pushQuickstart(Path bare) throws Exception {
        return pushQuickstart(bare, "");
    }

    /** The quickstart committed under {@code prefix} (a monorepo's folder) of a repository that also holds other files. */
    private String pushQuickstart(Path bare, String prefix) throws Exception {
        var quickstart = StateMachineFlowIT.repoRoot().resolve("examples/quickstart");
        var work = tmp.resolve("work");
        var target = prefix.isEmpty() ? work : work.resolve(prefix);
        try (var files = Files.walk(quickstart)) {
            for (var file : files.filter(Files::isRegularFile).toList()) {
                var rel = quickstart.relativize(file);
                if (rel.startsWith(".cairn")) continue;
                Files.createDirectories(target.resolve(rel).getParent());
                Files.copy(file, target.resolve(rel));
            }
        }
        if (!prefix.isEmpty()) {
            Files.writeString(work.resolve("README.md"), "the monorepo\n");
            Files.createDirectories(work.resolve("app"));
            Files.writeString(work.resolve("app/main.go"), "package main\n");
        }
        Git.init().setBare(true).setInitialBranch("main").setGitDir(bare.toFile()).setDirectory(bare.toFile()).call().close();
        try (var git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            var commit = git.commit().setMessage("quickstart").setSign(false).call();
            git.push().setRemote(bare.toUri().toString()).setRefSpecs(new RefSpec("refs/heads/main:refs/heads/main")).call();
            return commit.getName();
        }
    }

    @Test
    void renderStoresTheStageBundleFromTheSnapshotAndRecordCompletesTheStageFromItsReport() throws Exception {
        var bare = tmp.resolve("origin.git");
        var commit = pushQuickstart(bare);
        var workspace = new Workspace(tmp.resolve("state"));
        var planner = new RepoStagePlanner(new GitMirror(tmp.resolve("git-cache"), Optional::empty, "x-access-token"),
                bare.toUri().toString(), tmp.resolve("scratch"), workspace.blobs());
        var function = new ReconcileTaskFunction(new ReconcileTasks(workspace.runs(), workspace.outputs(), workspace.locks(),
                workspace.blobs(), planner, null, RunNotifier.NONE, Duration.ofHours(24), Clock.systemUTC()));
        var runId = (String) ReconcileTaskScenarios.call(function, "prepare", "action", "APPLY", "commit", commit,
                "ref", "refs/heads/main", "executionArn", ReconcileTaskScenarios.EXECUTION).get("runId");
        assertThat(ReconcileTaskScenarios.started(ReconcileTaskScenarios.call(function, "next", "runId", runId))).containsExactly("backend");

        ReconcileTaskScenarios.call(function, "render", "runId", runId, "stage", "backend");
        var bundle = StageBundle.fromZip(workspace.blobs().get(BundleKeys.bundle("dev", runId, "backend")).orElseThrow());
        assertThat(bundle.manifest().runId()).isEqualTo(runId);
        assertThat(bundle.manifest().revision()).isEqualTo(commit);
        assertThat(bundle.files()).containsKey(StageRenderer.TFVARS);

        // what `cairn stage planApply` leaves: the report of its apply step
        var report = new StageReport("dev", runId, "backend", "apply", StageStatus.APPLIED, new PlanSummary(1, 0, 0, List.of(), List.of()),
                null, null, Map.of("state_bucket", new StageOutputs.Output("acme-dev-state", false)), BundleKeys.log("dev", runId, "backend"), null);
        workspace.blobs().put(BundleKeys.result("dev", runId, "backend"), Json.MAPPER.writeValueAsBytes(report));
        ReconcileTaskScenarios.call(function, "record", "runId", runId, "stage", "backend");
        assertThat(workspace.runs().get("dev", runId).orElseThrow().stage("backend").status()).isEqualTo(StageStatus.APPLIED);
        assertThat(workspace.outputs().get("dev", "backend").orElseThrow().values()).containsKey("state_bucket");
        // the next wave is rendered from that output
        assertThat(ReconcileTaskScenarios.started(ReconcileTaskScenarios.call(function, "next", "runId", runId))).contains("network");
    }

    @Test
    void theDagAndPoliciesComeFromTheManifestAtTheCommitAndTheSnapshotIsStored() throws Exception {
        var bare = tmp.resolve("origin.git");
        var commit = pushQuickstart(bare);
        var blobs = new Workspace(tmp.resolve("state")).blobs();
        var planner = new RepoStagePlanner(new GitMirror(tmp.resolve("git-cache"), Optional::empty, "x-access-token"),
                bare.toUri().toString(), tmp.resolve("scratch"), blobs);

        var dev = planner.plan(new StagePlanner.Request("dev", RunAction.APPLY, commit, "refs/heads/main"));
        assertThat(dev.graph().stages()).contains("backend", "network", "domain", "kubernetes", "addons");
        assertThat(dev.graph().dependenciesOf("kubernetes")).contains("network");
        assertThat(dev.graph().dependenciesOf("network")).contains("backend");
        assertThat(dev.policy("network").approval()).isFalse(); // dev: policy.apply auto
        assertThat(dev.parallelism()).isEqualTo(RepoConfig.Terraform.DEFAULT_PARALLELISM); // the quickstart sets none

        var snapshot = blobs.get(RepoStagePlanner.snapshotKey(commit)).orElseThrow();
        var names = new ArrayList<String>();
        try (var zip = new ZipInputStream(new ByteArrayInputStream(snapshot))) {
            for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) names.add(e.getName());
        }
        assertThat(names).contains("cairn.yaml", "infrastructures/dev.yaml", "modules/network/main.tf");
        assertThat(Files.list(tmp.resolve("scratch")).filter(p -> p.getFileName().toString().startsWith("checkout-"))).isEmpty();

        var prod = planner.plan(new StagePlanner.Request("prod", RunAction.APPLY, commit, "refs/heads/main"));
        assertThat(prod.policy("network").approval()).as("prod: policy.apply approval").isTrue();

        assertThatThrownBy(() -> planner.plan(new StagePlanner.Request("staging", RunAction.APPLY, commit, "refs/heads/main")))
                .hasMessageContaining("no infrastructure named `staging`").hasMessageContaining("dev, prod");
    }

    @Test
    void withARepositoryPathPrepareSnapshotsThatSubtreeOnlyAndPlansFromIt() throws Exception {
        var bare = tmp.resolve("origin.git");
        var commit = pushQuickstart(bare, "infra/cairn");
        var workspace = new Workspace(tmp.resolve("state"));
        var path = dev.cairn.reconciler.manifest.RepoPath.of("infra/cairn");
        var planner = new RepoStagePlanner(new GitMirror(tmp.resolve("git-cache"), Optional::empty, "x-access-token"),
                bare.toUri().toString(), path, tmp.resolve("scratch"), workspace.blobs());
        var function = new ReconcileTaskFunction(new ReconcileTasks(workspace.runs(), workspace.outputs(), workspace.locks(),
                workspace.blobs(), planner, null, RunNotifier.NONE, Duration.ofHours(24), Clock.systemUTC()));
        var runId = (String) ReconcileTaskScenarios.call(function, "prepare", "action", "APPLY", "commit", commit,
                "ref", "refs/heads/main", "executionArn", ReconcileTaskScenarios.EXECUTION).get("runId");
        assertThat(ReconcileTaskScenarios.started(ReconcileTaskScenarios.call(function, "next", "runId", runId))).containsExactly("backend");

        assertThat(workspace.blobs().get(RepoStagePlanner.snapshotKey(commit))).as("the root's snapshot key is not used").isEmpty();
        var snapshot = workspace.blobs().get(RepoStagePlanner.snapshotKey(commit, path)).orElseThrow();
        var names = new ArrayList<String>();
        try (var zip = new ZipInputStream(new ByteArrayInputStream(snapshot))) {
            for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) names.add(e.getName());
        }
        assertThat(names).contains("cairn.yaml", "infrastructures/dev.yaml", "modules/network/main.tf")
                .noneMatch(n -> n.startsWith("infra/") || n.equals("README.md") || n.startsWith("app/"));

        // the stage's bundle is rendered from that snapshot
        ReconcileTaskScenarios.call(function, "render", "runId", runId, "stage", "backend");
        var bundle = StageBundle.fromZip(workspace.blobs().get(BundleKeys.bundle("dev", runId, "backend")).orElseThrow());
        assertThat(bundle.manifest().revision()).isEqualTo(commit);

        // a path the commit lacks fails Prepare with the variable to fix
        var wrong = new RepoStagePlanner(new GitMirror(tmp.resolve("git-cache"), Optional::empty, "x-access-token"),
                bare.toUri().toString(), dev.cairn.reconciler.manifest.RepoPath.of("platform"), tmp.resolve("scratch"), workspace.blobs());
        assertThatThrownBy(() -> wrong.plan(new StagePlanner.Request("dev", RunAction.APPLY, commit, "refs/heads/main")))
                .hasMessageContaining("has no folder platform").hasMessageContaining("CAIRN_REPO_PATH");
    }

    /** Commits {@code from → to} in {@code file} of the work tree on a branch (created from {@code start} when given) and pushes it. */
    private String commitOn(Git git, Path bare, String branch, String start, String file, String from, String to) throws Exception {
        if (start != null) git.checkout().setName(branch).setCreateBranch(true).setStartPoint(start).call();
        else git.checkout().setName(branch).call();
        var path = tmp.resolve("work").resolve(file);
        var text = Files.readString(path);
        assertThat(text).contains(from);
        Files.writeString(path, text.replace(from, to));
        git.add().addFilepattern(file).call();
        var commit = git.commit().setMessage(branch + ": " + to).setSign(false).call().getName();
        git.push().setRemote(bare.toUri().toString()).setRefSpecs(new RefSpec("refs/heads/" + branch + ":refs/heads/" + branch)).setForce(true).call();
        return commit;
    }

    private static String entry(byte[] zip, String name) throws Exception {
        try (var in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.getName().equals(name)) return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError(name + " is not in the snapshot");
    }

    @Test
    void aPreviewOfABranchBehindItsBasePlansTheHeadMergedIntoTheBaseTipAndAConflictFailsPrepareWithThePaths() throws Exception {
        var bare = tmp.resolve("origin.git");
        var start = pushQuickstart(bare);
        var workspace = new Workspace(tmp.resolve("state"));
        var planner = new RepoStagePlanner(new GitMirror(tmp.resolve("git-cache"), Optional::empty, "x-access-token"),
                bare.toUri().toString(), tmp.resolve("scratch"), workspace.blobs());
        try (var git = Git.open(tmp.resolve("work").toFile())) {
            // the PR branches off, then main gains a change the branch does not have
            var head = commitOn(git, bare, "feature", start, "infrastructures/dev.yaml", "cidr: 10.10.0.0/16", "cidr: 10.20.0.0/16");
            var tip = commitOn(git, bare, "main", null, "infrastructures/dev.yaml", "db_size: micro", "db_size: small");
            var onto = new dev.cairn.reconciler.preview.Previews.Onto("main", tip);

            planner.plan(new StagePlanner.Request("dev", RunAction.PLAN, head, "refs/heads/feature", onto));
            var merged = entry(workspace.blobs().get(RepoStagePlanner.snapshotKey(head + "+" + tip)).orElseThrow(), "infrastructures/dev.yaml");
            assertThat(merged).as("the PR's change and main's later one: what merging applies")
                    .contains("cidr: 10.20.0.0/16").contains("db_size: small").doesNotContain("db_size: micro");
            assertThat(workspace.blobs().get(RepoStagePlanner.snapshotKey(head))).as("the head's own snapshot is not written").isEmpty();

            // Prepare and Render of a preview run read that merge result; the bundle names the head as the revision
            var function = new ReconcileTaskFunction(new ReconcileTasks(workspace.runs(), workspace.outputs(), workspace.locks(),
                    workspace.blobs(), planner, null, RunNotifier.NONE, Duration.ofHours(24), Clock.systemUTC()));
            var trigger = dev.cairn.reconciler.preview.Previews.trigger("github", "acme/infra#7", start, "main", tip);
            var runId = (String) ReconcileTaskScenarios.call(function, "prepare", "action", "PLAN", "commit", head,
                    "ref", "refs/heads/feature", "trigger", trigger, "executionArn", ReconcileTaskScenarios.EXECUTION).get("runId");
            assertThat(ReconcileTaskScenarios.started(ReconcileTaskScenarios.call(function, "next", "runId", runId))).containsExactly("backend");
            ReconcileTaskScenarios.call(function, "render", "runId", runId, "stage", "backend");
            assertThat(StageBundle.fromZip(workspace.blobs().get(BundleKeys.bundle("dev", runId, "backend")).orElseThrow()).manifest().revision())
                    .isEqualTo(head);

            // a branch already holding the tip is planned as its own tree
            var upToDate = new dev.cairn.reconciler.preview.Previews.Onto("main", start);
            planner.plan(new StagePlanner.Request("dev", RunAction.PLAN, head, "refs/heads/feature", upToDate));
            assertThat(entry(workspace.blobs().get(RepoStagePlanner.snapshotKey(head + "+" + start)).orElseThrow(), "infrastructures/dev.yaml"))
                    .contains("cidr: 10.20.0.0/16").contains("db_size: micro");

            // the same line changed on both sides: no preview, the conflicting file and what to do
            var clash = commitOn(git, bare, "clash", start, "infrastructures/dev.yaml", "db_size: micro", "db_size: large");
            assertThatThrownBy(() -> planner.plan(new StagePlanner.Request("dev", RunAction.PLAN, clash, "refs/heads/clash", onto)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("the head does not merge cleanly into main (conflicts in infrastructures/dev.yaml): merge main")
                    .hasMessageContaining("main at " + tip.substring(0, 12))
                    .hasMessageContaining("merge main into the branch (or rebase it)");
            assertThat(workspace.blobs().get(RepoStagePlanner.snapshotKey(clash + "+" + tip))).isEmpty();
        }
    }
}
