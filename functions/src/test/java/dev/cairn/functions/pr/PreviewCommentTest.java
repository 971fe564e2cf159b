package dev.cairn.functions.pr;

import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.run.Redactor;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The PR comment and status line of a preview: marker, per-stage summary, folding, redaction, GitHub's size limit. */
class PreviewCommentTest {
    static final String HEAD = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
    static final String BASE = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
    static final String SECRET = "kc-5f4dcc3b5aa765d61d83";

    static Run run(RunStatus status, StageResult... stages) {
        var results = new LinkedHashMap<String, StageResult>();
        for (var s : stages) results.put(s.stage(), s);
        return new Run("20261202T020000Z-p0123456789abcdef", "dev", RunAction.PLAN, status,
                Previews.trigger("github", "acme/infra#7", BASE), HEAD, Instant.EPOCH, Instant.EPOCH, List.of(), results, null, 3);
    }

    static StageResult planned(String stage, PlanSummary plan) {
        return new StageResult(stage, plan.hasChanges() ? StageStatus.PLANNED : StageStatus.NO_CHANGES, plan, null, null, null, null, null, null);
    }

    static PlanSummary creates(int n, String prefix) {
        var resources = new ArrayList<PlanSummary.ResourceChange>();
        for (int i = 0; i < n; i++) resources.add(new PlanSummary.ResourceChange(prefix + "[" + i + "]", PlanSummary.Action.CREATE));
        return new PlanSummary(n, 0, 0, resources, List.of());
    }

    @Test
    void theCommentCarriesTheMarkerCommitsAndAPerStageSummaryWithAddressesFoldedPastFive() {
        var network = new PlanSummary(1, 1, 1, List.of(
                new PlanSummary.ResourceChange("terraform_data.vpc", PlanSummary.Action.REPLACE),
                new PlanSummary.ResourceChange("terraform_data.subnet", PlanSummary.Action.UPDATE)), List.of("vpc_id"));
        var body = PreviewComment.render(run(RunStatus.SUCCEEDED, planned("network", network), planned("domain", PlanSummary.EMPTY),
                planned("addons", creates(8, "terraform_data.addon"))), "acme/infra#7", BASE, new Redactor());
        assertThat(body).startsWith("<!-- cairn:preview:dev -->\n").contains("Base `6113728f27ae` → head `0d1a26e67d8f`")
                .contains("| `network` | `+1 ~1 -1` · outputs: vpc_id |", "| `domain` | no changes |", "| `addons` | `+8 ~0 -0` |")
                .contains("- `-/+ terraform_data.vpc`", "- `~ terraform_data.subnet`", "\n**Plan has changes:** +9 ~1 -1 in 2 stages. Merging applies them.\n");
        var folded = body.substring(body.indexOf("**`addons`**"));
        assertThat(folded.substring(0, folded.indexOf("<details>"))).contains("addon[4]").doesNotContain("addon[5]");
        assertThat(folded.substring(folded.indexOf("<details>"))).contains("<summary>3 more</summary>", "addon[5]", "addon[7]", "</details>");
        assertThat(PreviewComment.statusLine(run(RunStatus.SUCCEEDED, planned("network", network), planned("addons", creates(8, "x"))), new Redactor()))
                .isEqualTo("+9 ~1 -1 in 2 stages");
    }

    @Test
    void aSensitiveValueNeverAppearsInTheCommentOrTheStatus() {
        var redactor = new Redactor();
        redactor.add(SECRET);
        var leaky = new PlanSummary(1, 0, 0, List.of(new PlanSummary.ResourceChange("terraform_data.user[\"" + SECRET + "\"]", PlanSummary.Action.CREATE)),
                List.of());
        var failed = new StageResult("addons", StageStatus.FAILED, null, "Error: bad password " + SECRET + "\nmore", null, null, null, null, null);
        var run = run(RunStatus.FAILED, planned("network", leaky), failed);
        var body = PreviewComment.render(run, "acme/infra#7", BASE, redactor);
        var status = PreviewComment.statusLine(run, redactor);
        assertThat(body).doesNotContain(SECRET).contains(Redactor.MASK).contains("**The preview failed**");
        assertThat(status).doesNotContain(SECRET).startsWith("preview failed: addons: Error: bad password");
    }

    @Test
    void aHugePlanIsCutToGitHubsLimitAndKeepsTheSummary() {
        var body = PreviewComment.render(run(RunStatus.SUCCEEDED, planned("network", creates(5000, "module.very_long_module_name.terraform_data.resource"))),
                "acme/infra#7", BASE, new Redactor());
        assertThat(body.length()).isLessThanOrEqualTo(PreviewComment.MAX_CHARS);
        assertThat(body).startsWith("<!-- cairn:preview:dev -->").contains("| `network` | `+5000 ~0 -0` |").contains("cut to fit GitHub's comment limit");
    }

    @Test
    void theCommentLinksTheFullLogOrNamesTheCommandThatShowsIt() {
        var run = run(RunStatus.SUCCEEDED, planned("network", creates(1, "x")));
        var linked = PreviewComment.render(run, "acme/infra#7", BASE, new Redactor(), java.util.Optional.of("https://ci.example.com/runs/dev/" + run.id()));
        assertThat(linked).contains("\nFull log: [run `" + run.id() + "`](https://ci.example.com/runs/dev/" + run.id() + ")\n");
        assertThat(linked.indexOf("Full log:")).as("in the head, above the table").isLessThan(linked.indexOf("| stage | plan |"));
        assertThat(PreviewComment.render(run, "acme/infra#7", BASE, new Redactor()))
                .contains("Full log: `cairn status REPO --infra dev --run " + run.id() + "`").doesNotContain("](");
    }

    @Test
    void theLinkIsKeptWhenAHugePlanIsCutAndByTheMergedAndStaleComments() {
        var run = run(RunStatus.SUCCEEDED, planned("network", creates(5000, "module.very_long_module_name.terraform_data.resource")));
        var line = "Full log: [run `" + run.id() + "`](https://ci.example.com/runs/dev/" + run.id() + ")";
        var body = PreviewComment.render(run, "acme/infra#7", BASE, new Redactor(), java.util.Optional.of("https://ci.example.com/runs/dev/" + run.id()));
        assertThat(body.length()).isLessThanOrEqualTo(PreviewComment.MAX_CHARS);
        assertThat(body).contains(line, "cut to fit GitHub's comment limit");
        var merged = PreviewComment.merged(body, "acme/infra#7", HEAD, "dev-apply-0d1a26e67d8f");
        assertThat(merged).contains("**Merged:**", line);
        assertThat(PreviewComment.stale(body, "acme/infra#7")).contains("**Stale:**", line);
        assertThat(PreviewComment.applied(merged, "acme/infra#7", HEAD, "SUCCEEDED|20261202T030000Z-abcdef|network=+5000~0-0"))
                .contains("**Merged and applied:**", line);
    }

    @Test
    void theAppliedResultLinksTheApplyRunsLogWhenItsOutcomeCarriesOne() {
        var body = PreviewComment.render(run(RunStatus.SUCCEEDED, planned("network", creates(1, "x"))), "acme/infra#7", BASE, new Redactor(),
                java.util.Optional.empty());
        var merged = PreviewComment.merged(body, "acme/infra#7", HEAD, "dev-apply-0d1a26e67d8f");
        var apply = run(RunStatus.SUCCEEDED, planned("network", creates(1, "x")));
        var outcome = PreviewComment.outcome(apply, java.util.Optional.of("http://127.0.0.1:8080/runs/dev/" + apply.id() + " (x)"));

        assertThat(PreviewComment.applied(merged, "acme/infra#7", HEAD, outcome))
                .contains("run `" + apply.id() + "` succeeded ([full log](http://127.0.0.1:8080/runs/dev/" + apply.id() + "%20%28x%29)).");
        assertThat(PreviewComment.applied(merged, "acme/infra#7", HEAD, PreviewComment.outcome(apply)))
                .as("an outcome recorded before links (three fields)").contains("run `" + apply.id() + "` succeeded.").doesNotContain("[full log]");
    }

    @Test
    void aSecretInTheLinkIsRedactedAndMarkdownBreakingCharactersAreEncoded() {
        var redactor = new Redactor();
        redactor.add(SECRET);
        var run = run(RunStatus.SUCCEEDED, planned("network", creates(1, "x")));
        var body = PreviewComment.render(run, "acme/infra#7", BASE, redactor, java.util.Optional.of("https://ci.example.com/x?token=" + SECRET + "&a=(b) c"));
        assertThat(body).doesNotContain(SECRET).contains("](https://ci.example.com/x?token=" + Redactor.MASK.replace("(", "%28").replace(")", "%29") + "&a=%28b%29%20c)");
    }

    @Test
    void staleIsMarkedOnceBelowTheMarker() {
        var body = PreviewComment.render(run(RunStatus.SUCCEEDED, planned("network", creates(1, "x"))), "acme/infra#7", BASE, new Redactor());
        var stale = PreviewComment.stale(body, "acme/infra#7");
        assertThat(stale).startsWith("<!-- cairn:preview:dev -->\n> [!WARNING]\n> **Stale:** acme/infra#7 was closed without merge")
                .contains("| `network` |");
        assertThat(PreviewComment.stale(stale, "acme/infra#7")).isEqualTo(stale);
    }

    @Test
    void aStageWhoseUpstreamPlanChangesAConsumedOutputIsMarkedInexactInItsCell() {
        var network = new PlanSummary(1, 0, 1, List.of(), List.of("vpc_id"));
        var appDb = planned("app_db", new PlanSummary(0, 1, 0, List.of(), List.of())).withInexact(List.of("network"));
        var both = planned("addons", PlanSummary.EMPTY).withInexact(List.of("domain", "kubernetes"));
        var body = PreviewComment.render(run(RunStatus.SUCCEEDED, planned("network", network), appDb, both), "acme/infra#7", BASE, new Redactor());
        assertThat(body).contains("| `network` | `+1 ~0 -1` · outputs: vpc_id |")
                .contains("| `app_db` | `+0 ~1 -0` · inexact: depends on changes in `network` |")
                .contains("| `addons` | no changes · inexact: depends on changes in `domain`, `kubernetes` |");
        assertThat(PreviewComment.inexact(planned("domain", PlanSummary.EMPTY))).isEmpty();
    }

    @Test
    void aFailedPreviewSaysWhichStageFailedAndItsFirstErrorLineAndASkippedStageSaysSkippedOnce() {
        var failed = new StageResult("network", StageStatus.FAILED, null, "Error: Invalid CIDR block\n  on main.tf line 3", null, null, null, null, null);
        var skipped = new StageResult("app_db", StageStatus.SKIPPED, null, "skipped: `network` failed", null, null, null, null, null);
        var body = PreviewComment.render(run(RunStatus.FAILED, failed, skipped), "acme/infra#7", BASE, new Redactor());
        assertThat(body).contains("**The preview failed** at `network`: Error: Invalid CIDR block\n")
                .contains("| `network` | failed: Error: Invalid CIDR block |", "| `app_db` | skipped: `network` failed |")
                .doesNotContain("(failed)", "skipped: skipped");
        var noStage = new Run("20261202T020000Z-p0123456789abcdef", "dev", RunAction.PLAN, RunStatus.FAILED, Previews.trigger("github", "acme/infra#7", BASE),
                HEAD, Instant.EPOCH, Instant.EPOCH, List.of(), new LinkedHashMap<>(), "cannot read cairn.yaml: no such file\nmore", 3);
        assertThat(PreviewComment.render(noStage, "acme/infra#7", BASE, new Redactor()))
                .contains("**The preview failed:** cannot read cairn.yaml: no such file\n");
    }

    @Test
    void changesOfAnInfrastructureWhosePolicyNeedsApprovalSayMergingAsksForItInSlack() {
        var run = run(RunStatus.SUCCEEDED, planned("network", creates(1, "x")));
        assertThat(PreviewComment.render(run, "acme/infra#7", BASE, new Redactor(), java.util.Optional.empty(), true))
                .contains("**Plan has changes:** +1 ~0 -0 in 1 stage. Merging asks for approval in Slack before they are applied").doesNotContain("Merging applies them");
        assertThat(PreviewComment.render(run, "acme/infra#7", BASE, new Redactor(), java.util.Optional.empty(), false))
                .contains("**Plan has changes:** +1 ~0 -0 in 1 stage. Merging applies them.");
    }

    /**
     * {@code terraform show -json} of a real Terraform 1.11.4 plan (its resource_changes cut to the
     * address and actions): Terraform lists the resources by address; the outputs are updated to a
     * known value, to one known only after apply, and both of those sensitive (whose values the plan
     * JSON holds: {@value #PLAN_SECRET}).
     */
    static final String SHOW_JSON = """
            {"format_version":"1.2","terraform_version":"1.11.4","resource_changes":[
             {"address":"terraform_data.a_create","mode":"managed","type":"terraform_data","name":"a_create","provider_name":"terraform.io/builtin/terraform","change":{"actions":["no-op"]}},
             {"address":"terraform_data.gone","mode":"managed","type":"terraform_data","name":"gone","provider_name":"terraform.io/builtin/terraform","change":{"actions":["delete"]}},
             {"address":"terraform_data.new","mode":"managed","type":"terraform_data","name":"new","provider_name":"terraform.io/builtin/terraform","change":{"actions":["create"]}},
             {"address":"terraform_data.rep","mode":"managed","type":"terraform_data","name":"rep","provider_name":"terraform.io/builtin/terraform","change":{"actions":["delete","create"]}},
             {"address":"terraform_data.upd","mode":"managed","type":"terraform_data","name":"upd","provider_name":"terraform.io/builtin/terraform","change":{"actions":["update"]}}],
             "output_changes":{
              "endpoint":{"actions":["update"],"before":"49b63620-a923-f217-18de-021422766f58","after_unknown":true,"before_sensitive":false,"after_sensitive":false},
              "known":{"actions":["update"],"before":"static-1","after":"static-2","after_unknown":false,"before_sensitive":false,"after_sensitive":false},
              "secret":{"actions":["update"],"before":"fb1ca3c2-448c-1f6e-68cd-fb9960ef193e","after_unknown":true,"before_sensitive":true,"after_sensitive":true},
              "secret_known":{"actions":["update"],"before":"hunter2-1","after":"hunter2-2","after_unknown":false,"before_sensitive":true,"after_sensitive":true}}}
            """;
    static final String PLAN_SECRET = "hunter2-2";

    static PlanSummary showJson() throws Exception {
        return PlanSummary.parse(dev.cairn.reconciler.manifest.Json.MAPPER.readTree(SHOW_JSON));
    }

    @Test
    void aPlanFromShowJsonListsItsResourcesByActionThenAddressAndMarksOutputsKnownOnlyAfterApply() throws Exception {
        var redactor = new Redactor();
        redactor.add(PLAN_SECRET);
        redactor.add("fb1ca3c2-448c-1f6e-68cd-fb9960ef193e");
        var run = run(RunStatus.SUCCEEDED, planned("network", showJson()));

        var body = PreviewComment.render(run, "acme/infra#7", BASE, redactor);

        assertThat(body).contains("| `network` | `+2 ~1 -2` · outputs: endpoint (known after apply), known, secret (known after apply), secret_known |");
        var details = body.substring(body.indexOf("**`network`**"));
        assertThat(details).containsSubsequence("- `+ terraform_data.new`", "- `~ terraform_data.upd`", "- `- terraform_data.gone`",
                "- `-/+ terraform_data.rep`");
        assertThat(body).as("only names: no value of the plan, sensitive or not").doesNotContain(PLAN_SECRET, "hunter2", "static-2",
                "fb1ca3c2", "49b63620", Redactor.MASK);
        assertThat(PreviewComment.statusLine(run, redactor)).isEqualTo("+2 ~1 -2 in 1 stage");
    }

    @Test
    void anOutputNameTheRedactorKnowsIsMaskedWithItsMarkKept() {
        var redactor = new Redactor();
        redactor.add(SECRET);
        var plan = new PlanSummary(0, 1, 0, List.of(), List.of("token_" + SECRET, "url"), List.of("token_" + SECRET));
        var body = PreviewComment.render(run(RunStatus.SUCCEEDED, planned("addons", plan)), "acme/infra#7", BASE, redactor);
        assertThat(body).doesNotContain(SECRET).contains("· outputs: token_" + Redactor.MASK + " (known after apply), url |");
    }

    @Test
    void theStatusAndTheVerdictCountInexactAndDeferredStages() {
        var network = planned("network", new PlanSummary(3, 0, 0, List.of(), List.of("vpc_id"), List.of("vpc_id")));
        var domain = planned("domain", new PlanSummary(0, 1, 0, List.of(), List.of()));
        var appDb = planned("app_db", new PlanSummary(0, 0, 0, List.of(), List.of())).withInexact(List.of("network"));
        var dns = planned("dns", new PlanSummary(0, 0, 0, List.of(), List.of())).withInexact(List.of("network"));
        var kubernetes = StageResult.pending("kubernetes").with(StageStatus.DEFERRED);
        var failed = new StageResult("backup", StageStatus.FAILED, null, "Error: x", null, null, null, null, null).withInexact(List.of("network"));

        var run = run(RunStatus.SUCCEEDED, network, domain, appDb, dns, kubernetes);
        assertThat(PreviewComment.statusLine(run, new Redactor())).isEqualTo("+3 ~1 -0 in 2 stages · 2 inexact · 1 deferred until upstream applies");
        assertThat(PreviewComment.render(run, "acme/infra#7", BASE, new Redactor()))
                .contains("\n**Plan has changes:** +3 ~1 -0 in 2 stages · 2 inexact · 1 deferred until upstream applies. Merging applies them.\n");

        var quiet = run(RunStatus.SUCCEEDED, planned("domain", PlanSummary.EMPTY), appDb, kubernetes);
        assertThat(PreviewComment.statusLine(quiet, new Redactor())).isEqualTo("no changes · 1 inexact · 1 deferred until upstream applies");
        assertThat(PreviewComment.render(quiet, "acme/infra#7", BASE, new Redactor()))
                .contains("\n**No changes** · 1 inexact · 1 deferred until upstream applies.\n");
        assertThat(PreviewComment.render(run(RunStatus.SUCCEEDED, planned("domain", PlanSummary.EMPTY)), "acme/infra#7", BASE, new Redactor()))
                .contains("\n**No changes.**\n");

        assertThat(PreviewComment.statusLine(run(RunStatus.FAILED, network, failed, kubernetes), new Redactor()))
                .as("a failed preview says what failed, not counts").isEqualTo("preview failed: backup: Error: x");
    }

    @Test
    void aDeferredStageSaysWhyAndNamesTheStagesBeforeItWhoseOutputsComeOnlyAfterApply() {
        var network = planned("network", new PlanSummary(3, 0, 0, List.of(), List.of("subnet_ids", "vpc_cidr"), List.of("subnet_ids")));
        var domain = planned("domain", new PlanSummary(1, 0, 0, List.of(), List.of("zone")));
        var kubernetes = StageResult.pending("kubernetes").with(StageStatus.DEFERRED);
        var addons = StageResult.pending("addons").with(StageStatus.DEFERRED);
        var results = new LinkedHashMap<String, StageResult>();
        for (var s : List.of(network, domain, kubernetes, addons)) results.put(s.stage(), s);
        var run = new Run("20261202T020000Z-p0123456789abcdef", "dev", RunAction.PLAN, RunStatus.SUCCEEDED,
                Previews.trigger("github", "acme/infra#7", BASE), HEAD, Instant.EPOCH, Instant.EPOCH,
                List.of(List.of("network", "domain"), List.of("kubernetes"), List.of("addons")), results, null, 3);

        var body = PreviewComment.render(run, "acme/infra#7", BASE, new Redactor());

        assertThat(body).contains("| `kubernetes` | deferred: reads an input known only after an upstream stage applies"
                        + " (before it in this run: `network` has outputs known only after apply) |")
                .contains("| `addons` | deferred: reads an input known only after an upstream stage applies"
                        + " (before it in this run: `network` has outputs known only after apply; `kubernetes` is deferred too) |");
        var stored = run(RunStatus.SUCCEEDED, planned("network", new PlanSummary(3, 0, 0, List.of(), List.of("vpc_id"))), kubernetes);
        assertThat(PreviewComment.render(stored, "acme/infra#7", BASE, new Redactor())).as("a plan that says no output is unknown (an older record)")
                .contains("| `kubernetes` | deferred: reads an input known only after an upstream stage applies |");
    }

    @Test
    void theForkRefusalSaysNoPlanPreviewOnce() {
        var text = PullRequestFlow.forkComment("no preview for acme/infra#7: its head is in another repository (mallory/infra)");
        assertThat(text).isEqualTo(PullRequestFlow.FORK_MARKER + "\n**Cairn: no plan preview** for acme/infra#7: its head is in another repository (mallory/infra).\n");
    }

    @Test
    void theCommentRecordsItsHeadAndRunStartAndAReopenedPrsCommentLosesOnlyTheStaleBanner() {
        var run = new Run("20261202T020000Z-p0123456789abcdef", "dev", RunAction.PLAN, RunStatus.SUCCEEDED, Previews.trigger("github", "acme/infra#7", BASE),
                HEAD, Instant.ofEpochMilli(1_764_640_800_123L), Instant.EPOCH, List.of(), new LinkedHashMap<>(java.util.Map.of("network",
                planned("network", creates(1, "x")))), null, 3);
        var body = PreviewComment.render(run, "acme/infra#7", BASE, new Redactor());
        assertThat(PreviewComment.headOf(body)).isEqualTo(HEAD);
        assertThat(PreviewComment.startedOf(body)).contains(Instant.ofEpochMilli(1_764_640_800_123L));
        assertThat(PreviewComment.headOf("Base `6113728f27ae` → head `0d1a26e67d8f` · run")).as("an older comment: the short head it names")
                .isEqualTo("0d1a26e67d8f");
        assertThat(PreviewComment.sameHead("0d1a26e67d8f", HEAD)).isTrue();
        assertThat(PreviewComment.sameHead("1d1a26e67d8f", HEAD)).isFalse();
        var stale = PreviewComment.stale(body, "acme/infra#7");
        assertThat(PreviewComment.current(stale)).isEqualTo(body);
        assertThat(PreviewComment.current(body)).isEqualTo(body);
    }
}
