package dev.cairn.notify.slack;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import dev.cairn.notify.slack.testing.SlackWebApi;
import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.store.ThreadStore;
import dev.cairn.reconciler.store.local.LocalThreadStore;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The run thread against a local Web API: one thread per run (kept in a {@link ThreadStore}, so
 * two notifiers — two Lambda invocations — share it), the head edited in place, rationed, never
 * back to an older state; replies in the thread; Block Kit limits; secrets masked; the manifest's
 * {@code events} respected.
 */
class SlackNotifierIT {
    // long enough that a busy machine (CI, two cores) does not stretch the coalesced calls past it
    static final Duration INTERVAL = Duration.ofMillis(1000);
    /** How much later than its claim one request may reach the stand-in, against another (request latency under load). */
    static final Duration JITTER = Duration.ofMillis(250);

    @TempDir
    Path dir;
    SlackWebApi api;
    ThreadStore threads;

    @BeforeEach
    void start() throws Exception {
        api = new SlackWebApi();
        threads = new LocalThreadStore(dir.resolve("threads"));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    static MethodsClient client(String url) {
        var config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(url);
        return Slack.getInstance(config).methods("xoxb-test");
    }

    SlackNotifier notifier(SlackNotifier.Target target) {
        return new SlackNotifier(() -> client(api.url()), threads, run -> target, INTERVAL, Clock.systemUTC());
    }

    static Run run(int stages, StageStatus status, String error, long version) {
        var results = new LinkedHashMap<String, StageResult>();
        var plan = new PlanSummary(120, 0, 0, IntStream.range(0, 120)
                .mapToObj(i -> new PlanSummary.ResourceChange("aws_route53_record.r[" + i + "]", PlanSummary.Action.CREATE)).toList(), List.of());
        for (int i = 0; i < stages; i++) {
            results.put("stage" + i, new StageResult("stage" + i, status, plan, error, Instant.now(), null, error == null ? null : "x".repeat(9000)));
        }
        return new Run("20261201T120000Z-ab12", "prod", RunAction.APPLY, error == null ? RunStatus.RUNNING : RunStatus.FAILED, "slack:U1", "abc",
                Instant.now(), null, List.of(), results, null, version);
    }

    static Run with(Run run, String stage, StageStatus status) {
        return run.withStage(run.stage(stage).with(status));
    }

    @Test
    void oneThreadPerRunItsHeadEditedInPlaceAtMostOncePerIntervalAndRepliesInIt() throws Exception {
        var target = new SlackNotifier.Target("#infra-prod", Set.of());
        var first = notifier(target);
        var second = notifier(target); // another invocation, same thread store
        var run = run(60, StageStatus.PENDING, null, 0);
        first.runStarted(run);
        second.runStarted(run); // a retried Prepare: nothing new is posted
        var planning = with(run, "stage0", StageStatus.PLANNING);
        second.stageChanged(planning, planning.stage("stage0")); // within the interval of the post, still running: coalesced
        var applied = with(planning, "stage1", StageStatus.APPLIED);
        first.stageChanged(applied, applied.stage("stage1"));    // finished: waits for its turn, then shown
        second.stageChanged(planning, planning.stage("stage0")); // an older state than the one shown: never shown
        var approval = new ApprovalStore.Approval("prod", run.id(), "stage0", ApprovalStore.State.PENDING,
                run.stage("stage0").plan(), "ef".repeat(32), "slack:U1", "secret-task-token", Instant.now(), null, null, null, null);
        second.approvalRequested(applied, approval);
        var outputs = Map.of("network", new StageOutputs("network", run.id(), Instant.now(), Map.of(
                "vpc_id", new StageOutputs.Output("vpc-123", false), "db_password", new StageOutputs.Output("hunter2-secret", true))));
        var failed = run(2, StageStatus.FAILED, "Error: boom, the password hunter2-secret leaked", applied.version() + 1);
        first.runFinished(failed, outputs);
        second.driftFound(failed);

        var calls = api.appCalls();
        assertThat(calls.stream().map(SlackWebApi.Call::method)).containsExactly(
                "chat.postMessage", "chat.update", "chat.postMessage", "chat.update", "chat.postMessage", "chat.postMessage");
        var head = calls.get(0).form();
        assertThat(head.get("channel")).isEqualTo("#infra-prod");
        assertThat(head.containsKey("thread_ts")).isFalse();
        var ts = "1733000000.000100";
        assertThat(calls.get(1).form()).containsEntry("ts", ts).containsEntry("channel", SlackWebApi.CHANNEL_ID);
        assertThat(calls.get(1).form().get("blocks")).contains("`stage1` applied");
        assertThat(calls.get(3).form()).containsEntry("ts", ts);
        for (int i : new int[]{2, 4, 5}) {
            assertThat(calls.get(i).form()).as("call %d is a reply in the run's thread", i).containsEntry("thread_ts", ts)
                    .containsEntry("channel", SlackWebApi.CHANNEL_ID);
        }
        assertThat(calls.get(5).form()).as("drift is also shown in the channel").containsEntry("reply_broadcast", "1");
        assertThat(calls.get(4).form()).doesNotContainEntry("reply_broadcast", "1");
        var edits = calls.stream().filter(c -> c.method().equals("chat.update")).toList();
        var post = calls.get(0);
        // The notifier spaces its claims by the interval; the stand-in sees arrivals, which also carry each
        // request's own latency. Allow for that jitter (a loaded CI machine: tens of ms): an edit that did not
        // wait would arrive within milliseconds of the message before it.
        var spacing = INTERVAL.toNanos() - JITTER.toNanos();
        assertThat(edits.get(0).atNanos() - post.atNanos()).as("the first edit waited for the interval after the post")
                .isGreaterThanOrEqualTo(spacing);
        assertThat(edits.get(1).atNanos() - edits.get(0).atNanos()).as("the second edit waited for the interval after the first")
                .isGreaterThanOrEqualTo(spacing);

        for (var call : calls) {
            SlackWebApi.assertWithinBlockKitLimits(call);
            assertThat(call.body()).doesNotContain("secret-task-token").doesNotContain("hunter2").doesNotContain("xoxb-test");
        }
        assertThat(calls.get(2).form().get("blocks")).contains("cairn_approve").contains("and 115 more");
        assertThat(calls.get(4).form().get("blocks")).as("the failure with the log's tail").contains(":x: `stage0` failed").contains("xxxx")
                .contains("(sensitive)").contains("vpc-123");
        assertThat(calls.get(5).form().get("blocks")).contains("drift");
        assertThat(threads.get("prod", run.id()).orElseThrow().version()).isEqualTo(failed.version());
    }

    @Test
    void noChannelNoCallsAndTheManifestsEventsChooseWhatIsSent() {
        var none = new SlackNotifier(() -> client(api.url()), threads, run -> null, INTERVAL, Clock.systemUTC());
        var run = run(1, StageStatus.PENDING, null, 0);
        none.runStarted(run);
        none.stageChanged(run, run.stage("stage0"));
        none.runFinished(run, Map.of());
        none.driftFound(run);
        assertThat(api.appCalls()).isEmpty();

        // only failures and drift: no thread; the failed result and the drift go to the channel itself
        var quiet = notifier(new SlackNotifier.Target("#infra-prod", Set.of("failure", "drift")));
        quiet.runStarted(run);
        quiet.stageChanged(run, run.stage("stage0"));
        quiet.runFinished(run(1, StageStatus.APPLIED, null, 3).finish(RunStatus.SUCCEEDED, null), Map.of());
        quiet.runFinished(run(1, StageStatus.FAILED, "Error: boom", 3), Map.of());
        quiet.driftFound(run);
        var calls = api.appCalls();
        assertThat(calls.stream().map(SlackWebApi.Call::method)).containsExactly("chat.postMessage", "chat.postMessage");
        assertThat(calls.get(0).form().get("blocks")).contains("failed");
        assertThat(calls.get(1).form().get("blocks")).contains("drift");
        assertThat(calls).allSatisfy(c -> assertThat(c.form()).doesNotContainKey("thread_ts"));
    }

    @Test
    void aFailingWebApiNeverThrowsIntoTheRun() {
        var notifier = new SlackNotifier(() -> client("http://127.0.0.1:1/api/"), threads, r -> new SlackNotifier.Target("#infra", Set.of()),
                Duration.ZERO, Clock.systemUTC());
        var run = run(1, StageStatus.APPLYING, null, 0);
        notifier.runStarted(run);
        notifier.stageChanged(run, run.stage("stage0"));
        notifier.runFinished(run, Map.of());
        notifier.driftFound(run);
        assertThat(threads.get("prod", run.id())).isEmpty();
    }

    static Run preview(long version) {
        var plan = new PlanSummary(1, 0, 0, List.of(new PlanSummary.ResourceChange("terraform_data.vpc", PlanSummary.Action.CREATE)), List.of());
        var results = new LinkedHashMap<String, StageResult>();
        results.put("network", new StageResult("network", StageStatus.PLANNED, plan, null, Instant.now(), null, null));
        return new Run("20261201T130000Z-p0123", "prod", RunAction.PLAN, RunStatus.SUCCEEDED,
                dev.cairn.reconciler.preview.Previews.trigger("github", "acme/infra#7", "6113728f27ae82c7b1a177c8d03f9e96e0adf246"),
                "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", Instant.now(), Instant.now(), List.of(), results, null, version);
    }

    @Test
    void previewsStayOutOfTheChannelUnlessTheManifestAsksThenEachIsOneRedactedMessage() {
        var outputs = Map.of("network", new StageOutputs("network", "r0", Instant.now(),
                Map.of("db_password", new StageOutputs.Output("hunter2-secret", true))));
        var spec = new dev.cairn.reconciler.manifest.Spec.NotificationsSpec(new dev.cairn.reconciler.manifest.Spec.NotificationsSpec.SlackSpec("#infra-prod", List.of()));
        var off = notifier(SlackNotifier.Target.of(spec));
        off.runStarted(preview(0));
        off.runFinished(preview(2), outputs);
        assertThat(api.appCalls()).as("default off").isEmpty();

        var asked = new dev.cairn.reconciler.manifest.Spec.NotificationsSpec(
                new dev.cairn.reconciler.manifest.Spec.NotificationsSpec.SlackSpec("#infra-prod", List.of(), true));
        var on = notifier(SlackNotifier.Target.of(asked));
        var started = preview(0);
        on.runStarted(started);
        on.stageChanged(started, started.stage("network"));
        on.runFinished(preview(2), outputs);
        var calls = api.appCalls();
        assertThat(calls.stream().map(SlackWebApi.Call::method)).as("one message per preview run, no thread").containsExactly("chat.postMessage");
        assertThat(calls.getFirst().form()).containsEntry("channel", "#infra-prod").doesNotContainKey("thread_ts");
        assertThat(calls.getFirst().form().get("text")).isEqualTo("plan preview of acme/infra#7 at 0d1a26e67d8f: prod has changes, +1 ~0 -0 in 1 stage");
        assertThat(calls.getFirst().form().get("blocks")).contains("plan preview", "acme/infra#7", "0d1a26e67d8f", "terraform_data.vpc")
                .as("a preview shows no output of the last apply").doesNotContain("db_password");
        SlackWebApi.assertWithinBlockKitLimits(calls.getFirst());
        assertThat(calls.getFirst().body()).doesNotContain("hunter2").doesNotContain("xoxb-test");
        assertThat(threads.get("prod", started.id())).isEmpty();
    }

    @Test
    void aSecretHoldingCharactersJsonEscapesIsRedactedFromTheTextsAsSlackReadsThem() throws Exception {
        var secret = "pa=ss<'w'>&rd";
        var outputs = Map.of("db", new StageOutputs("db", "r0", Instant.now(), Map.of("password", new StageOutputs.Output(secret, true))));
        var failed = run(1, StageStatus.FAILED, "Error: login with " + secret + " refused", 3);
        failed = failed.withStage(new StageResult("stage0", StageStatus.FAILED, null, "Error: login with " + secret + " refused", Instant.now(), null, null));
        notifier(new SlackNotifier.Target("#infra-prod", Set.of())).runFinished(failed, outputs);

        var call = api.appCalls().getFirst();
        var texts = new com.fasterxml.jackson.databind.ObjectMapper().readTree(call.form().get("blocks")).findValues("text").stream()
                .map(t -> t.isTextual() ? t.asText() : t.path("text").asText()).toList();
        assertThat(texts).as("the failure is shown, as Slack parses the blocks").anyMatch(t -> t.contains("Error: login with (sensitive) refused"));
        assertThat(texts).noneMatch(t -> t.contains(secret));
        assertThat(call.form().get("text")).doesNotContain(secret);
    }
}
