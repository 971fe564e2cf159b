package dev.cairn.functions.reconcile;

import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Which upstream stages of a preview make a stage's plan inexact, from the outputs it reads (PreviewServeIT proves it with Terraform). */
class InexactPreviewTest {

    static Run run(StageResult... stages) {
        var results = new LinkedHashMap<String, StageResult>();
        for (var s : stages) results.put(s.stage(), s);
        return new Run("20261202T020000Z-p0123456789abcdef", "dev", RunAction.PLAN, RunStatus.RUNNING,
                Previews.trigger("github", "acme/infra#7", "base"), "head", Instant.EPOCH, null, List.of(), results, null, 3);
    }

    static StageResult planned(String stage, List<String> outputChanges) {
        return StageResult.pending(stage).withPlan(new PlanSummary(0, 1, 0, List.of(), outputChanges)).with(StageStatus.PLANNED);
    }

    @Test
    void onlyAnUpstreamWhosePlanChangesAReadOutputOrThatIsInexactItselfCounts() {
        var run = run(planned("network", List.of("vpc_id")), planned("domain", List.of("name_servers")),
                planned("kubernetes", List.of()).withInexact(List.of("network")), StageResult.pending("app_db"));
        assertThat(ReconcileTasks.inexactBecause(run, Set.of("network.vpc_id", "domain.zone_id"))).containsExactly("network");
        assertThat(ReconcileTasks.inexactBecause(run, Set.of("network.azs", "domain.zone_id"))).isEmpty();
        assertThat(ReconcileTasks.inexactBecause(run, Set.of("kubernetes.cluster_name", "domain.name_servers"))).containsExactly("domain", "kubernetes");
        assertThat(ReconcileTasks.inexactBecause(run, Set.of("backend.bucket"))).as("an upstream outside the run reads its stored outputs").isEmpty();
    }

    @Test
    void aStageThatTakesAnUpstreamsOutputsWholeIsInexactWhenAnyOfThemChanges() {
        var run = run(planned("network", List.of("vpc_id")), planned("domain", List.of()), StageResult.pending("app_db"));
        assertThat(ReconcileTasks.inexactBecause(run, Set.of("network.*"))).containsExactly("network");
        assertThat(ReconcileTasks.inexactBecause(run, Set.of("domain.*"))).as("a plan that changes no output").isEmpty();
    }
}
