package dev.cairn.functions.reconcile;

import dev.cairn.notify.slack.testing.SlackWebApi;
import dev.cairn.reconciler.bundle.BundleKeys;
import dev.cairn.reconciler.bundle.StageBundle;
import dev.cairn.reconciler.bundle.StageReport;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.transport.RefSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The live run thread from the task function, as the state machine drives it: every task step is
 * a fresh {@link ReconcileTaskFunction} built from its environment (another Lambda invocation,
 * maybe another container), so the run's one thread and its rationed edits come from the thread
 * store, not from memory. Prepare reads the quickstart from a git remote (its {@code dev} manifest
 * names the channel); {@code cairn stage}'s reports are left in the blob store as the builds leave
 * them; every Web API call goes to a local server ({@code CAIRN_SLACK_API_URL}) that records it.
 */
class ReconcileSlackThreadIT {
    static final String EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:cairn-reconcile:dev-run-1";
    static final String TOKEN = "xoxb-thread-test-token";

    @TempDir
    Path tmp;
    SlackWebApi api;
    Map<String, String> env;
    Workspace workspace;
    String commit;

    @BeforeEach
    void start() throws Exception {
        api = new SlackWebApi();
        var bare = tmp.resolve("origin.git");
        commit = pushQuickstartWithChannel(tmp, bare);
        env = new HashMap<>(Map.of("CAIRN_STATE_DIR", tmp.resolve("state").toString(), "CAIRN_REPO_URL", bare.toUri().toString(),
                "CAIRN_GIT_CACHE_DIR", tmp.resolve("git-cache").toString(), "CAIRN_SLACK_BOT_TOKEN", TOKEN,
                "CAIRN_SLACK_API_URL", api.url()));
        workspace = new Workspace(tmp.resolve("state"));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    /** The quickstart with a Slack channel for {@code dev}; {@code prod} names none. */
    static String pushQuickstartWithChannel(Path tmp, Path bare) throws Exception {
        var quickstart = StateMachineFlowIT.repoRoot().resolve("examples/quickstart");
        var work = tmp.resolve("work");
        try (var files = Files.walk(quickstart)) {
            for (var file : files.filter(Files::isRegularFile).toList()) {
                var rel = quickstart.relativize(file);
                if (rel.startsWith(".cairn")) continue;
                Files.createDirectories(work.resolve(rel).getParent());
                Files.copy(file, work.resolve(rel));
            }
        }
        var dev = work.resolve("infrastructures/dev.yaml");
        Files.writeString(dev, Files.readString(dev).replace("  policy:\n    apply: auto",
                "  policy:\n    apply: auto\n  notifications:\n    slack:\n      channel: \"#infra-dev\""));
        assertThat(Files.readString(dev)).contains("#infra-dev");
        Git.init().setBare(true).setInitialBranch("main").setGitDir(bare.toFile()).setDirectory(bare.toFile()).call().close();
        try (var git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            var made = git.commit().setMessage("quickstart with a channel").setSign(false).call();
            git.push().setRemote(bare.toUri().toString()).setRefSpecs(new RefSpec("refs/heads/main:refs/heads/main")).call();
            return made.getName();
        }
    }

    /** One task step in a fresh function (a fresh notifier): nothing is remembered between steps but the stores. */
    private Map<String, Object> step(String task, Object... pairs) {
        return ReconcileTaskScenarios.call(new ReconcileTaskFunction(env), task, pairs);
    }

    /** What the stand-in modules output, as an apply reports them. */
    static Map<String, StageOutputs.Output> outputs(String stage) {
        var out = new LinkedHashMap<String, StageOutputs.Output>();
        switch (stage) {
            case "backend" -> List.of("state_bucket", "state_bucket_arn", "kms_key_arn", "lock_table_name", "secrets_prefix")
                    .forEach(k -> out.put(k, new StageOutputs.Output("acme-dev-" + k, false)));
            case "network" -> {
                out.put("vpc_id", new StageOutputs.Output("vpc-123", false));
                out.put("vpc_cidr", new StageOutputs.Output("10.10.0.0/16", false));
                for (var k : List.of("azs", "public_subnet_ids", "private_subnet_ids", "database_subnet_ids")) {
                    out.put(k, new StageOutputs.Output(List.of(k + "-a", k + "-b"), false));
                }
            }
            case "domain" -> {
                out.put("zone_id", new StageOutputs.Output("Z123", false));
                out.put("domain_name", new StageOutputs.Output("dev.acme.example", false));
                out.put("name_servers", new StageOutputs.Output(List.of("ns1", "ns2"), false));
                out.put("certificate_arn", new StageOutputs.Output("arn:aws:acm:cert", false));
            }
            case "kubernetes" -> {
                for (var k : List.of("cluster_name", "cluster_arn", "cluster_endpoint", "cluster_certificate_authority_data", "oidc_provider_arn",
                        "oidc_issuer_url", "node_role_arn")) {
                    out.put(k, new StageOutputs.Output("acme-dev-" + k, false));
                }
                out.put("node_count", new StageOutputs.Output(2, false));
                out.put("subnet_count", new StageOutputs.Output(3, false));
            }
            case "addons" -> {
                out.put("argocd_url", new StageOutputs.Output("https://argocd.dev.acme.example", false));
                out.put("keycloak_url", new StageOutputs.Output("https://keycloak.dev.acme.example", false));
                out.put("keycloak_admin_user", new StageOutputs.Output("admin", false));
                out.put("keycloak_admin_password", new StageOutputs.Output("s3cr3t-keycloak-pw", true));
                out.put("applications", new StageOutputs.Output(List.of("podinfo"), false));
            }
            default -> {
                out.put("endpoint", new StageOutputs.Output("db.dev.acme.example", false));
                out.put("size", new StageOutputs.Output("micro", false));
            }
        }
        return out;
    }

    void report(String runId, String stage, String step, StageStatus status, PlanSummary plan) throws Exception {
        workspace.blobs().put(BundleKeys.result("dev", runId, stage), reportBytes(runId, stage, step, status, plan));
    }

    /** The report {@code cairn stage} leaves at {@link BundleKeys#result}, as bytes. */
    static byte[] reportBytes(String runId, String stage, String step, StageStatus status, PlanSummary plan) throws Exception {
        var report = new StageReport("dev", runId, stage, step, status, plan, null, null,
                step.equals("apply") ? outputs(stage) : Map.of(), BundleKeys.log("dev", runId, stage), null);
        return Json.MAPPER.writeValueAsBytes(report);
    }

    static PlanSummary changes(String stage) {
        return new PlanSummary(2, 0, 0, List.of(new PlanSummary.ResourceChange("terraform_data." + stage, PlanSummary.Action.CREATE),
                new PlanSummary.ResourceChange("terraform_data." + stage + "_extra", PlanSummary.Action.CREATE)), List.of());
    }

    @Test
    void aWholeApplyRunIsOneThreadWhoseHeadIsEditedInPlaceAtMostOncePerSecond() throws Exception {
        var prepared = step("prepare", "action", "APPLY", "commit", commit, "ref", "refs/heads/main", "trigger", "slack:U0OPERATOR",
                "stages", "", "executionArn", EXECUTION);
        var runId = (String) prepared.get("runId");
        for (int round = 0; round < 10; round++) {
            var next = step("next", "runId", runId);
            if (Boolean.TRUE.equals(next.get("done"))) break;
            for (var stage : ReconcileTaskScenarios.started(next)) {
                step("render", "runId", runId, "stage", stage);
                assertThat(StageBundle.fromZip(workspace.blobs().get(BundleKeys.bundle("dev", runId, stage)).orElseThrow()).manifest().stage())
                        .isEqualTo(stage);
                // PlanApply: one build plans and applies (dev applies without approval)
                report(runId, stage, "apply", StageStatus.APPLIED, changes(stage));
                step("record", "runId", runId, "stage", stage);
            }
        }
        assertThat(step("finish", "executionArn", EXECUTION)).containsEntry("status", "SUCCEEDED");
        var run = workspace.runs().get("dev", runId).orElseThrow();
        assertThat(run.stages().values()).allSatisfy(s -> assertThat(s.status()).isEqualTo(StageStatus.APPLIED));

        var calls = api.appCalls();
        var head = calls.getFirst();
        assertThat(head.method()).isEqualTo("chat.postMessage");
        assertThat(head.form()).containsEntry("channel", "#infra-dev").doesNotContainKey("thread_ts");
        var ts = "1733000000.000100";
        var posts = calls.stream().filter(c -> c.method().equals("chat.postMessage")).toList();
        assertThat(posts).as("the head, then the result in its thread").hasSize(2);
        assertThat(posts.get(1).form()).containsEntry("thread_ts", ts).containsEntry("channel", SlackWebApi.CHANNEL_ID);
        assertThat(posts.get(1).form().get("blocks")).contains("succeeded").contains("vpc-123").contains("(sensitive)");

        var edits = calls.stream().filter(c -> c.method().equals("chat.update")).toList();
        assertThat(edits).as("the head edited in place, at least once per wave").hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(e -> assertThat(e.form()).containsEntry("ts", ts).containsEntry("channel", SlackWebApi.CHANNEL_ID));
        for (int i = 1; i < edits.size(); i++) {
            // the notifier spaces its claims by the 1 s default; arrivals also carry each request's latency
            // (hundreds of ms on a loaded CI machine), while an edit that did not wait would arrive within ms
            assertThat(Duration.ofNanos(edits.get(i).atNanos() - edits.get(i - 1).atNanos())).as("edit %d after the one before", i)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(750));
        }
        var last = edits.getLast().form().get("blocks");
        for (var stage : run.stages().keySet()) assertThat(last).contains("`" + stage + "` applied");
        assertThat(last).contains("succeeded");

        for (var call : calls) {
            SlackWebApi.assertWithinBlockKitLimits(call);
            assertThat(call.body()).doesNotContain("s3cr3t-keycloak-pw").doesNotContain(TOKEN);
        }
        // the thread store holds the run's thread at the version shown last
        assertThat(new dev.cairn.reconciler.store.local.LocalThreadStore(tmp.resolve("state/threads")).get("dev", runId).orElseThrow().version())
                .isEqualTo(run.version());
    }

    @Test
    void aScheduledDriftCheckOfSomeStagesShowsOnlyThemAndReportsTheDriftInTheChannel() throws Exception {
        // the upstream of network was applied by an earlier run: its outputs are in the store
        workspace.outputs().put("dev", new StageOutputs("backend", "earlier", java.time.Instant.now(), outputs("backend")));
        var runId = (String) step("prepare", "action", "PLAN", "commit", commit, "trigger", "schedule:drift nightly",
                "stages", "network,domain", "executionArn", EXECUTION).get("runId");
        assertThat(workspace.runs().get("dev", runId).orElseThrow().stages()).containsOnlyKeys("network", "domain");
        var next = step("next", "runId", runId);
        assertThat(ReconcileTaskScenarios.started(next)).containsExactly("network", "domain");
        for (var stage : List.of("network", "domain")) {
            step("render", "runId", runId, "stage", stage); // network's inputs come from backend's stored outputs
            report(runId, stage, "plan", StageStatus.PLANNED, stage.equals("network") ? changes(stage) : PlanSummary.EMPTY);
            assertThat(step("planned", "runId", runId, "stage", stage)).containsEntry("then", "record");
            step("record", "runId", runId, "stage", stage);
        }
        assertThat(step("next", "runId", runId)).containsEntry("done", true);
        step("finish", "executionArn", EXECUTION);

        var calls = api.appCalls();
        var posts = calls.stream().filter(c -> c.method().equals("chat.postMessage")).toList();
        assertThat(posts).hasSize(3);
        assertThat(posts.get(0).form().get("blocks")).contains("`network`").contains("`domain`").doesNotContain("`backend`");
        var drift = posts.get(2).form();
        assertThat(drift.get("blocks")).contains("drift").contains(runId);
        assertThat(drift).containsEntry("thread_ts", "1733000000.000100").containsEntry("reply_broadcast", "1");
        assertThat(calls.stream().filter(c -> c.method().equals("chat.update")).toList().getLast().form().get("blocks"))
                .contains("+2 ~0 -0").contains("terraform_data.network");
        calls.forEach(SlackWebApi::assertWithinBlockKitLimits);
    }

    @Test
    void anUnknownStageFailsPrepareClearlyOnARecordedRunAndFinishReleasesTheLock() {
        assertThatThrownBy(() -> step("prepare", "action", "APPLY", "commit", commit, "trigger", "slack:U0OPERATOR",
                "stages", "netwrk", "executionArn", EXECUTION))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no stage `netwrk`").hasMessageContaining("did you mean `network`?");
        var run = workspace.runs().list("dev", 1).getFirst();
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).contains("no stage `netwrk`");
        assertThatThrownBy(() -> step("prepare", "action", "APPLY", "commit", commit, "trigger", "slack:U0OPERATOR",
                "stages", "netwrk", "executionArn", EXECUTION)).as("a retried Prepare stays refused").hasMessageContaining("no stage `netwrk`");
        assertThat(step("finish", "executionArn", EXECUTION)).containsEntry("status", "FAILED");
        assertThat(workspace.locks().owner("dev")).isEmpty();
        // the failure is said in the channel (the run never had a thread)
        var posts = api.appCalls();
        assertThat(posts).singleElement().satisfies(p -> {
            assertThat(p.form()).containsEntry("channel", "#infra-dev").doesNotContainKey("thread_ts");
            assertThat(p.form().get("blocks")).contains("no stage `netwrk`");
        });
    }

    @Test
    void aDestroyOfAStageWhoseAppliedDependentsStayIsRefused() {
        workspace.outputs().put("dev", new StageOutputs("network", "earlier", java.time.Instant.now(), outputs("network")));
        workspace.outputs().put("dev", new StageOutputs("kubernetes", "earlier", java.time.Instant.now(), outputs("kubernetes")));
        assertThatThrownBy(() -> step("prepare", "action", "DESTROY", "commit", commit, "trigger", "slack:U0OPERATOR",
                "stages", "network", "executionArn", EXECUTION))
                .hasMessageContaining("would leave kubernetes").hasMessageContaining("destroy those too");
        step("finish", "executionArn", EXECUTION);
        assertThat(workspace.locks().owner("dev")).isEmpty();
    }
}
