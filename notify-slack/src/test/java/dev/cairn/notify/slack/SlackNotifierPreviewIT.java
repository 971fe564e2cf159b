package dev.cairn.notify.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.notify.slack.testing.SlackWebApi;
import dev.cairn.reconciler.manifest.Spec;
import dev.cairn.reconciler.preview.Previews;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The channel message of a finished plan preview ({@code notifications.slack.previews: true}),
 * posted to the local Web API: the PR and head, the verdict with its totals, the per-stage table
 * (changes, failed, deferred, inexact), the first addresses of changing stages, links to the PR
 * and the run; within Block Kit's limits however large the run; no output value and no secret in
 * anything sent.
 */
class SlackNotifierPreviewIT {
    static final ObjectMapper JSON = new ObjectMapper();
    /** A sensitive output of the last apply, with characters that JSON and Slack's mrkdwn escape. */
    static final String SECRET = "S3cr3t='pw'<x>&y=1";
    static final String PLAIN_OUTPUT = "vpc-0abc123def";
    static final String HEAD = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
    static final String BASE = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
    /** The base branch tip the head is planned merged into. */
    static final String TIP = "9b2c4e1f00000000000000000000000000000001";
    static final String RUN_ID = "20261201T130000Z-p0123456789abcdef";

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

    SlackNotifier notifier(SlackNotifier.Links links) {
        var asked = new Spec.NotificationsSpec(new Spec.NotificationsSpec.SlackSpec("#infra-prod", List.of("failure"), true));
        return new SlackNotifier(() -> SlackNotifierIT.client(api.url()), threads, run -> SlackNotifier.Target.of(asked),
                SlackNotifierIT.INTERVAL, Clock.systemUTC(), links);
    }

    static Map<String, StageOutputs> lastApplyOutputs() {
        var values = new LinkedHashMap<String, StageOutputs.Output>();
        values.put("vpc_id", new StageOutputs.Output(PLAIN_OUTPUT, false));
        values.put("db_password", new StageOutputs.Output(SECRET, true));
        return Map.of("network", new StageOutputs("network", "20261130T000000Z-ab12", Instant.now(), values));
    }

    static PlanSummary plan(int add, int change, List<PlanSummary.ResourceChange> resources, List<String> outputs) {
        return new PlanSummary(add, change, 0, resources, outputs);
    }

    static StageResult stage(String name, StageStatus status, PlanSummary plan, String error) {
        return new StageResult(name, status, plan, error, Instant.now(), Instant.now(), "logs/prod/" + RUN_ID + "/" + name + ".log");
    }

    static Run preview(String label, RunStatus status, String error, List<StageResult> stages) {
        var results = new LinkedHashMap<String, StageResult>();
        stages.forEach(s -> results.put(s.stage(), s));
        return new Run(RUN_ID, "prod", RunAction.PLAN, status, Previews.trigger(label.contains("!") ? "gitlab" : "github", label, BASE, "main", TIP),
                HEAD, Instant.now(), Instant.now(), List.of(), results, error, 7);
    }

    /** network changes (7 addresses, one keyed by the secret, one with mrkdwn's control characters), dns inexact, db failed, app deferred. */
    static Run failedPreview() {
        var addresses = new ArrayList<PlanSummary.ResourceChange>();
        addresses.add(new PlanSummary.ResourceChange("aws_ssm_parameter.p[\"" + SECRET + "\"]", PlanSummary.Action.CREATE));
        addresses.add(new PlanSummary.ResourceChange("module.vpc.aws_subnet.s[\"a<b>&c\"]", PlanSummary.Action.CREATE));
        addresses.add(new PlanSummary.ResourceChange("aws_vpc.main", PlanSummary.Action.UPDATE));
        for (int i = 0; i < 4; i++) addresses.add(new PlanSummary.ResourceChange("aws_route.r[" + i + "]", PlanSummary.Action.REPLACE));
        return preview("acme/infra#7", RunStatus.FAILED, "stage db failed: " + SECRET, List.of(
                stage("network", StageStatus.PLANNED, new PlanSummary(6, 1, 4, addresses, List.of("vpc_cidr", "vpc_id"), List.of("vpc_id")), null),
                stage("dns", StageStatus.PLANNED, plan(0, 1, List.of(new PlanSummary.ResourceChange("aws_route53_record.www", PlanSummary.Action.UPDATE)),
                        List.of()), null).withInexact(List.of("network")),
                stage("db", StageStatus.FAILED, null, "Error: creating DB instance: password " + SECRET + " rejected <nil>\n  on main.tf line 3:\n" + SECRET),
                stage("app", StageStatus.DEFERRED, null, null),
                stage("monitoring", StageStatus.NO_CHANGES, PlanSummary.EMPTY, null)));
    }

    @Test
    void aFinishedPreviewIsOneMessageWithItsPerStagePlanAndLinksAndNoOutputOrSecret() throws Exception {
        var links = new SlackNotifier.Links(r -> Optional.of("https://cairn.example.com/runs/" + r.infrastructure() + "/" + r.id()),
                r -> Optional.of("https://github.com/acme/infra/pull/7"));
        var notifier = notifier(links);
        var run = failedPreview();
        notifier.runStarted(run);
        notifier.stageChanged(run, run.stage("db"));
        notifier.runFinished(run, lastApplyOutputs());

        var calls = api.appCalls();
        assertThat(calls.stream().map(SlackWebApi.Call::method)).as("one message per preview run").containsExactly("chat.postMessage");
        var form = calls.getFirst().form();
        assertThat(form).containsEntry("channel", "#infra-prod").doesNotContainKey("thread_ts");
        assertThat(form.get("text")).as("the fallback: one line with the verdict")
                .isEqualTo("plan preview of acme/infra#7 at 0d1a26e67d8f: prod failed at db: Error: creating DB instance: password (sensitive) rejected &lt;nil&gt;");

        var blocks = JSON.readTree(form.get("blocks"));
        assertThat(text(blocks.get(0))).isEqualTo(":mag: *plan preview* of <https://github.com/acme/infra/pull/7|acme/infra#7> at `0d1a26e67d8f`: *prod*");
        assertThat(text(blocks.get(1))).isEqualTo(":x: *The preview failed* at `db`: Error: creating DB instance: password (sensitive) rejected &lt;nil&gt;"
                + "\nPlanned before it stopped: +6 ~2 -4 in 2 stages · 1 inexact · 1 deferred until upstream applies.");
        assertThat(fields(blocks.get(2))).containsExactly("*stage*", "*plan*",
                "`network`", "`+6 ~1 -4` · outputs: vpc_cidr, vpc_id (known after apply)",
                "`dns`", "`+0 ~1 -0` · :warning: inexact: depends on changes in `network`",
                "`db`", ":x: failed: Error: creating DB instance: password (sensitive) rejected &lt;nil&gt;",
                "`app`", ":fast_forward: deferred: reads an input known only after an upstream stage applies");
        assertThat(fields(blocks.get(3))).containsExactly("`monitoring`", "no changes");
        assertThat(text(blocks.get(4))).as("the first five addresses of network, the rest folded").isEqualTo("*`network`* `+6 ~1 -4`"
                + "\n`+ aws_ssm_parameter.p[\"(sensitive)\"]`"
                + "\n`+ module.vpc.aws_subnet.s[\"a&lt;b&gt;&amp;c\"]`"
                + "\n`~ aws_vpc.main`"
                + "\n`-/+ aws_route.r[0]`"
                + "\n`-/+ aws_route.r[1]`"
                + "\n… and 2 more");
        assertThat(text(blocks.get(5))).isEqualTo("*`dns`* `+0 ~1 -0`\n`~ aws_route53_record.www`");
        var footer = blocks.get(6);
        assertThat(footer.path("type").asText()).isEqualTo("context");
        assertThat(footer.path("elements").get(0).path("text").asText()).isEqualTo("base `main` at `9b2c4e1f0000` → head `0d1a26e67d8f` · run <https://cairn.example.com/runs/prod/"
                + RUN_ID + "|" + RUN_ID + "> · nothing was applied; Terraform state and the apply lock were not touched");
        assertThat(blocks.size()).isEqualTo(7);

        SlackWebApi.assertWithinBlockKitLimits(calls.getFirst());
        assertNothingSecret(calls.getFirst());
        assertThat(threads.get("prod", run.id())).as("a preview has no thread").isEmpty();
    }

    @Test
    void withoutLinksThePrIsNamedAndTheRunsCommandGivenAndAThrowingLookupCountsAsNone() throws Exception {
        var notifier = notifier(new SlackNotifier.Links(r -> Optional.empty(), r -> {
            throw new IllegalStateException("the forge is down");
        }));
        var quiet = preview("acme/infra!7", RunStatus.SUCCEEDED, null, List.of(
                stage("network", StageStatus.NO_CHANGES, PlanSummary.EMPTY, null),
                stage("dns", StageStatus.PLANNED, PlanSummary.EMPTY, null)));
        notifier.runFinished(quiet, lastApplyOutputs());
        var changes = preview("acme/infra!7", RunStatus.SUCCEEDED, null, List.of(
                stage("network", StageStatus.PLANNED, plan(1, 0, List.of(new PlanSummary.ResourceChange("terraform_data.vpc", PlanSummary.Action.CREATE)),
                        List.of()), null)));
        new SlackNotifier(() -> SlackNotifierIT.client(api.url()), threads, r -> new SlackNotifier.Target("#infra-prod", java.util.Set.of(), true),
                SlackNotifierIT.INTERVAL, Clock.systemUTC()).runFinished(changes, Map.of());

        var calls = api.appCalls();
        assertThat(calls).hasSize(2);
        var first = calls.get(0).form();
        assertThat(first.get("text")).isEqualTo("plan preview of acme/infra!7 at 0d1a26e67d8f: prod has no changes");
        var blocks = JSON.readTree(first.get("blocks"));
        assertThat(text(blocks.get(0))).isEqualTo(":mag: *plan preview* of acme/infra!7 at `0d1a26e67d8f`: *prod*");
        assertThat(text(blocks.get(1))).isEqualTo(":white_check_mark: *No changes.*");
        assertThat(fields(blocks.get(2))).containsExactly("*stage*", "*plan*", "`network`", "no changes", "`dns`", "no changes");
        assertThat(blocks.get(3).path("elements").get(0).path("text").asText()).contains("run `" + RUN_ID + "` (`cairn status REPO --infra prod --run "
                + RUN_ID + "`)");
        assertThat(blocks.size()).as("no addresses without changes").isEqualTo(4);

        var second = calls.get(1).form();
        assertThat(second.get("text")).isEqualTo("plan preview of acme/infra!7 at 0d1a26e67d8f: prod has changes, +1 ~0 -0 in 1 stage");
        var changed = JSON.readTree(second.get("blocks"));
        assertThat(text(changed.get(1))).isEqualTo(":large_yellow_circle: *Plan has changes:* +1 ~0 -0 in 1 stage.");
        assertThat(text(changed.get(3))).isEqualTo("*`network`* `+1 ~0 -0`\n`+ terraform_data.vpc`");
        calls.forEach(SlackWebApi::assertWithinBlockKitLimits);
        calls.forEach(SlackNotifierPreviewIT::assertNothingSecret);
    }

    @Test
    void aLargePreviewStaysWithinSlackLimitsFoldingAddressesAndUnchangedStagesAndKeepsItsSummary() throws Exception {
        var stages = new ArrayList<StageResult>();
        for (int i = 0; i < 60; i++) {
            var resources = IntStream.range(0, 120).mapToObj(n -> new PlanSummary.ResourceChange("aws_route53_record.r[" + n + "]." + "x".repeat(400),
                    PlanSummary.Action.CREATE)).toList();
            stages.add(stage("changing" + i, StageStatus.PLANNED, plan(120, 0, resources, List.of()), null));
        }
        for (int i = 0; i < 10; i++) stages.add(stage("quiet" + i, StageStatus.NO_CHANGES, PlanSummary.EMPTY, null));
        stages.add(stage("broken", StageStatus.FAILED, null, "Error: " + "y".repeat(9000) + SECRET));
        notifier(SlackNotifier.Links.NONE).runFinished(preview("acme/infra#7", RunStatus.FAILED, null, stages), lastApplyOutputs());

        var call = api.appCalls().getFirst();
        SlackWebApi.assertWithinBlockKitLimits(call);
        assertNothingSecret(call);
        var blocks = JSON.readTree(call.form().get("blocks"));
        assertThat(blocks.size()).isEqualTo(BlockKit.MAX_BLOCKS);
        assertThat(text(blocks.get(1))).as("the verdict and totals are kept").startsWith(":x: *The preview failed* at `broken`: Error: yyy")
                .endsWith("…\nPlanned before it stopped: +7200 ~0 -0 in 60 stages.");
        var table = new ArrayList<String>();
        for (var block : blocks) if (block.has("fields")) table.addAll(fields(block));
        assertThat(table).as("every section has at most 10 fields, the table at most MAX_ROWS rows and its header")
                .hasSize(2 * (PreviewMessage.MAX_ROWS + 1));
        for (var block : blocks) if (block.has("fields")) assertThat(block.path("fields").size()).isLessThanOrEqualTo(10);
        assertThat(table.subList(0, 4)).containsExactly("*stage*", "*plan*", "`changing0`", "`+120 ~0 -0`");
        // 60 changing + broken + the 10 quiet in one row = 62 rows: the first 23 kept, the rest counted
        assertThat(table.subList(table.size() - 2, table.size())).containsExactly("… 39 more stages", "in the run's log");
        var last = blocks.get(blocks.size() - 1);
        assertThat(last.path("elements").get(0).path("text").asText()).as("the footer is kept").contains("nothing was applied");
        var folded = blocks.get(blocks.size() - 2);
        int tableSections = (int) java.util.stream.StreamSupport.stream(blocks.spliterator(), false).filter(b -> b.has("fields")).count();
        int shown = BlockKit.MAX_BLOCKS - 2 - tableSections - 2;
        assertThat(folded.path("elements").get(0).path("text").asText())
                .isEqualTo("… the addresses of " + (60 - shown) + " more changing stages are in the run's log");
        assertThat(text(blocks.get(2 + tableSections))).startsWith("*`changing0`* `+120 ~0 -0`\n`+ aws_route53_record.r[0].xxx").endsWith("… and 115 more");
        assertThat(call.form().get("text")).doesNotContain("\n").hasSizeLessThan(400);
    }

    static String text(JsonNode block) {
        assertThat(block.path("type").asText()).isEqualTo("section");
        return block.path("text").path("text").asText();
    }

    static List<String> fields(JsonNode block) {
        var texts = new ArrayList<String>();
        block.path("fields").forEach(f -> {
            assertThat(f.path("type").asText()).isEqualTo("mrkdwn");
            texts.add(f.path("text").asText());
        });
        return texts;
    }

    /** No output value of the last apply, sensitive or not, and no token: in the raw request, its form, or any text of its blocks. */
    static void assertNothingSecret(SlackWebApi.Call call) {
        var form = call.form();
        var sent = new ArrayList<String>(List.of(call.body()));
        sent.addAll(form.values());
        try {
            JSON.readTree(form.get("blocks")).findValues("text").forEach(t -> sent.add(t.isTextual() ? t.asText() : t.toString()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        for (var text : sent) {
            assertThat(text).doesNotContain(SECRET).doesNotContain("S3cr3t").doesNotContain(PLAIN_OUTPUT).doesNotContain("xoxb-test");
        }
    }
}
