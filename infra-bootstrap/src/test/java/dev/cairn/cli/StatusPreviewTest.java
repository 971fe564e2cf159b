package dev.cairn.cli;

import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cairn status}: a PR's plan preview is not an infrastructure's last run (it changed
 * nothing); a preview newer than that run is shown beside it. Runs are real records in a real
 * state dir of a copy of the quickstart.
 */
class StatusPreviewTest {
    static final String HEAD = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
    static final String BASE = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";

    @TempDir
    Path tmp;

    static CliIT.Result cairn(String... args) {
        return CliIT.cairn(args);
    }

    static Run run(String id, RunAction action, String trigger, String revision, Instant at, PlanSummary plan) {
        var stages = new LinkedHashMap<String, StageResult>();
        stages.put("network", new StageResult("network", plan.hasChanges() ? StageStatus.PLANNED : StageStatus.APPLIED, plan,
                null, null, null, null, null, null));
        return new Run(id, "dev", action, RunStatus.SUCCEEDED, trigger, revision, at, at.plusSeconds(60), List.of(), stages, null, 0);
    }

    @Test
    void aNewerPreviewIsShownBesideTheLastApplyAndNeverAsTheLastRun() throws Exception {
        var repo = Examples.copy("quickstart", tmp.resolve("infra"));
        var runs = new Workspace(repo.resolve(".cairn")).runs();
        var t0 = Instant.parse("2026-12-01T10:00:00Z");
        assertThat(cairn("status", repo.toString(), "--infra", "prod").out()).contains("prod  never run").doesNotContain("previewed");
        var prodPreview = run("20261201T090000Z-pfedcba9876543210", RunAction.PLAN, Previews.trigger("github", "acme/infra#8", BASE, "main", BASE),
                HEAD, t0.minusSeconds(3600), PlanSummary.EMPTY);
        runs.put(new Run(prodPreview.id(), "prod", prodPreview.action(), prodPreview.status(), prodPreview.trigger(), prodPreview.revision(),
                prodPreview.startedAt(), prodPreview.finishedAt(), List.of(), prodPreview.stages(), null, 0));
        assertThat(cairn("status", repo.toString(), "--infra", "prod").out()).contains("prod  never run (only previewed)")
                .contains("latest preview: acme/infra#8 at 0d1a26e67d8f, succeeded (+0 ~0 -0)");

        runs.put(run("20261201T100000Z-a1b2c3", RunAction.APPLY, "github:push d-1", BASE, t0, PlanSummary.EMPTY));
        var plan = new PlanSummary(1, 0, 0, List.of(new PlanSummary.ResourceChange("terraform_data.vpc", PlanSummary.Action.CREATE)), List.of());
        runs.put(run("20261201T110000Z-p0123456789abcdef", RunAction.PLAN, Previews.trigger("github", "acme/infra#7", BASE, "main", BASE),
                HEAD, t0.plusSeconds(3600), plan));

        var text = cairn("status", repo.toString(), "--infra", "dev");
        assertThat(text.exit()).as(text.err()).isEqualTo(Cairn.OK);
        assertThat(text.out()).contains("dev  apply succeeded").contains("20261201T100000Z-a1b2c3")
                .contains("latest preview: acme/infra#7 at 0d1a26e67d8f, succeeded (+1 ~0 -0), run 20261201T110000Z-p0123456789abcdef (nothing applied)");

        var json = Json.MAPPER.readTree(cairn("status", repo.toString(), "--infra", "dev", "--output", "json").out());
        assertThat(json.at("/0/lastRun/id").asText()).isEqualTo("20261201T100000Z-a1b2c3");
        assertThat(json.at("/0/latestPreview/id").asText()).isEqualTo("20261201T110000Z-p0123456789abcdef");

        // an apply after the preview: the preview is old news
        runs.put(run("20261201T120000Z-d4e5f6", RunAction.APPLY, "github:push d-2", HEAD, t0.plusSeconds(7200), PlanSummary.EMPTY));
        var later = cairn("status", repo.toString(), "--infra", "dev");
        assertThat(later.out()).contains("20261201T120000Z-d4e5f6").doesNotContain("latest preview");
    }
}
