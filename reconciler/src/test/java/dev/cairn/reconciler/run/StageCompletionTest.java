package dev.cairn.reconciler.run;

import dev.cairn.reconciler.bundle.StageReport;
import dev.cairn.reconciler.store.StageOutputs.Output;
import dev.cairn.reconciler.store.local.LocalOutputStore;
import dev.cairn.reconciler.store.local.LocalRunStore;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Stage completion against the real local stores: what the Record step and the local driver both write. */
class StageCompletionTest {

    @TempDir
    Path tmp;

    private Run newRun(LocalRunStore runs, String... stages) {
        var results = new LinkedHashMap<String, StageResult>();
        for (var s : stages) results.put(s, StageResult.pending(s));
        var run = new Run("20261201T000000Z-000001", "dev", RunAction.APPLY, RunStatus.RUNNING, "test", null, Instant.now(), null,
                List.of(List.of(stages)), results, null, 0);
        runs.put(run);
        return run;
    }

    @Test
    void parallelRecordsOfOneRunBothLandAfterAConflict() {
        var runs = new LocalRunStore(tmp.resolve("runs"));
        var completion = new StageCompletion(runs, new LocalOutputStore(tmp.resolve("outputs")));
        var run = newRun(runs, "network", "domain");
        // two Record steps that read the run at the same version
        completion.record(run, run.stage("network").with(StageStatus.APPLIED));
        var stored = completion.record(run, run.stage("domain").with(StageStatus.NO_CHANGES));
        assertThat(stored.version()).isEqualTo(2);
        var back = runs.get("dev", run.id()).orElseThrow();
        assertThat(back.stage("network").status()).isEqualTo(StageStatus.APPLIED);
        assertThat(back.stage("domain").status()).isEqualTo(StageStatus.NO_CHANGES);
    }

    @Test
    void reportsOfEachStepEndTheStageAsLocalModeDoes() {
        var runs = new LocalRunStore(tmp.resolve("runs"));
        var outputs = new LocalOutputStore(tmp.resolve("outputs"));
        var completion = new StageCompletion(runs, outputs);
        var run = newRun(runs, "db");
        var summary = new PlanSummary(1, 0, 0, List.of(new PlanSummary.ResourceChange("terraform_data.this", PlanSummary.Action.CREATE)), List.of());
        var redactor = new Redactor();
        redactor.add("hunter2-secret");

        // a plan with changes: the saved plan is recorded, its planned outputs are not stored
        var planned = completion.complete(new StageReport("dev", run.id(), "db", "plan", StageStatus.PLANNED, summary,
                "plans/dev/" + run.id() + "/db.tfplan", "ab12", Map.of("url", new Output("x", false)), "logs/dev/" + run.id() + "/db.log", null), redactor);
        assertThat(planned.stage("db").status()).isEqualTo(StageStatus.PLANNED);
        assertThat(planned.stage("db").planSha256()).isEqualTo("ab12");
        assertThat(planned.stage("db").planKey()).isEqualTo("plans/dev/" + run.id() + "/db.tfplan");
        assertThat(outputs.get("dev", "db")).isEmpty();

        // the apply: outputs stored, one that carries a known secret stored as sensitive
        var applied = completion.complete(new StageReport("dev", run.id(), "db", "apply", StageStatus.APPLIED, summary,
                "plans/dev/" + run.id() + "/db.tfplan", "ab12",
                Map.of("url", new Output("postgres://app:hunter2-secret@db", false), "name", new Output("app", false)), null, null), redactor);
        assertThat(applied.stage("db").status()).isEqualTo(StageStatus.APPLIED);
        assertThat(applied.stage("db").plan()).isEqualTo(summary);
        assertThat(applied.stage("db").planSha256()).isEqualTo("ab12");
        var stored = outputs.get("dev", "db").orElseThrow();
        assertThat(stored.values().get("url").sensitive()).isTrue();
        assertThat(stored.values().get("name")).isEqualTo(new Output("app", false));
        assertThat(stored.runId()).isEqualTo(run.id());
        assertThat(StageCompletion.outcomes(applied)).containsEntry("db", Scheduler.Outcome.SUCCEEDED);

        // a failure: the error is redacted
        var failed = completion.complete(new StageReport("dev", run.id(), "db", "apply", StageStatus.FAILED, null, null, null, Map.of(), null,
                "terraform apply failed: password hunter2-secret rejected"), redactor);
        assertThat(failed.stage("db").status()).isEqualTo(StageStatus.FAILED);
        assertThat(failed.stage("db").error()).isEqualTo("terraform apply failed: password (sensitive) rejected");
        assertThat(StageCompletion.outcomes(failed)).containsEntry("db", Scheduler.Outcome.FAILED);

        // a destroy forgets the outputs
        completion.complete(new StageReport("dev", run.id(), "db", "apply", StageStatus.DESTROYED, null, null, null, Map.of(), null, null), redactor);
        assertThat(outputs.get("dev", "db")).isEmpty();
    }

    @Test
    void aSkippedStageCarriesItsCauseAndCountsAsSkipped() {
        var runs = new LocalRunStore(tmp.resolve("runs"));
        var completion = new StageCompletion(runs, new LocalOutputStore(tmp.resolve("outputs")));
        var run = newRun(runs, "network", "kubernetes", "addons");
        assertThat(StageCompletion.outcomes(run)).isEmpty();
        var skipped = completion.skip("dev", run.id(), "addons", "kubernetes");
        assertThat(skipped.stage("addons").status()).isEqualTo(StageStatus.SKIPPED);
        assertThat(skipped.stage("addons").error()).isEqualTo("skipped: `kubernetes` failed");
        assertThat(StageCompletion.outcomes(skipped)).containsExactly(Map.entry("addons", Scheduler.Outcome.SKIPPED));
    }
}
