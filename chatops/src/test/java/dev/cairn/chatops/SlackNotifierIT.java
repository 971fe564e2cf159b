package dev.cairn.chatops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.Slack;
import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.Test;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The run thread against a local Web API: post, coalesced in-place updates, replies in the thread, Block Kit limits. */
class SlackNotifierIT {
    static final ObjectMapper JSON = new ObjectMapper();

    static Run run(int stages, StageStatus status, String error) {
        var results = new LinkedHashMap<String, StageResult>();
        var plan = new PlanSummary(120, 0, 0, IntStream.range(0, 120)
                .mapToObj(i -> new PlanSummary.ResourceChange("aws_route53_record.r[" + i + "]", PlanSummary.Action.CREATE)).toList(), List.of());
        for (int i = 0; i < stages; i++) {
            results.put("stage" + i, new StageResult("stage" + i, status, plan, error, Instant.now(), null, error == null ? null : "x".repeat(9000)));
        }
        return new Run("20261201T120000Z-ab12", "prod", RunAction.APPLY, RunStatus.values()[0], "slack:U1", "abc", Instant.now(), null,
                List.of(), results, null, 0);
    }

    @Test
    void aRunThreadIsPostedUpdatedInPlaceCoalescedAndAnsweredInTheThread() throws Exception {
        try (var api = new SlackWebApi()) {
            var slack = Slack.getInstance(ChatopsWiring.apiConfig(api.url())).methods("xoxb-test");
            var notifier = new SlackNotifier(slack, infra -> "#infra-prod", Duration.ofSeconds(30), Clock.systemUTC());
            var run = run(60, StageStatus.PLANNING, null);
            notifier.runStarted(run);
            notifier.stageChanged(run, run.stages().get("stage0"));  // running, within 30 s: coalesced
            notifier.stageChanged(run, new StageResult("stage1", StageStatus.APPLIED, null, null, null, null, null)); // finished: shown
            var approval = new ApprovalStore.Approval("prod", run.id(), "stage0", ApprovalStore.State.PENDING,
                    run.stages().get("stage0").plan(), "ef".repeat(32), "slack:U1", "secret-task-token", Instant.now(), null, null, null, null);
            notifier.approvalRequested(run, approval);
            var outputs = Map.of("network", new StageOutputs("network", run.id(), Instant.now(), Map.of(
                    "vpc_id", new StageOutputs.Output("vpc-123", false), "db_password", new StageOutputs.Output("hunter2", true))));
            notifier.runFinished(run(2, StageStatus.FAILED, "Error: boom"), outputs);
            notifier.runFinished(run, outputs);
            notifier.driftFound(run);

            // the Web API client asks auth.test once, for its per-team rate limiter
            var calls = api.calls.stream().filter(c -> !c.method().equals("auth.test")).toList();
            assertThat(calls.stream().map(SlackWebApi.Call::method)).containsExactly("chat.postMessage", "chat.update", "chat.postMessage", "chat.postMessage",
                    "chat.postMessage", "chat.postMessage");
            for (var call : calls) {
                var form = form(call.body());
                var blocks = JSON.readTree(form.get("blocks"));
                assertThat(blocks.size()).as(call.method()).isBetween(1, BlockKit.MAX_BLOCKS);
                blocks.findValues("text").forEach(t -> {
                    if (t.isTextual()) assertThat(t.asText().length()).isLessThanOrEqualTo(BlockKit.MAX_TEXT);
                });
                assertThat(call.body()).doesNotContain("secret-task-token").doesNotContain("hunter2");
            }
            var approvalCall = form(calls.get(2).body());
            assertThat(approvalCall.get("thread_ts")).isEqualTo("1733000000.000100");
            assertThat(approvalCall.get("blocks")).contains("cairn_approve").contains("and 115 more");
            assertThat(form(calls.get(3).body()).get("blocks")).as("the failure with the log's tail").contains(":x: `stage0` failed").contains("xxxx");
            assertThat(form(calls.get(3).body()).get("thread_ts")).as("a reply in the run's thread").isEqualTo("1733000000.000100");
            assertThat(form(calls.get(4).body()).get("blocks")).contains("(sensitive)").contains("vpc-123");
            assertThat(form(calls.get(5).body()).get("blocks")).contains("drift");
        }
    }

    @Test
    void aFailingWebApiNeverThrowsIntoTheRun() {
        var slack = Slack.getInstance(ChatopsWiring.apiConfig("http://127.0.0.1:1/api/")).methods("xoxb-test");
        var notifier = new SlackNotifier(slack, infra -> "#infra-prod", Duration.ZERO, Clock.systemUTC());
        var run = run(1, StageStatus.APPLYING, null);
        notifier.runStarted(run);
        notifier.stageChanged(run, run.stages().get("stage0"));
        notifier.runFinished(run, Map.of());
        notifier.driftFound(run);
        assertThat(run.stages()).hasSize(1);
    }

    static Map<String, String> form(String body) {
        var map = new LinkedHashMap<String, String>();
        for (var pair : body.split("&")) {
            var eq = pair.indexOf('=');
            map.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return map;
    }
}
