package dev.cairn.reconciler.run;

import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A stage result as the run stores keep it (Json.MAPPER, both the local files and the DynamoDB item's `run`). */
class StageResultJsonTest {

    @Test
    void aRecordWrittenBeforeInexactExistedStillReadsAsExact() throws Exception {
        var old = """
                {"stage":"app_db","status":"PLANNED","plan":{"add":0,"change":1,"destroy":0,"resources":[],"outputChanges":[]},
                 "log":"logs/dev/r/app_db.log","planInputs":"abc"}
                """;
        var read = Json.MAPPER.readValue(old, StageResult.class);
        assertThat(read.status()).isEqualTo(StageStatus.PLANNED);
        assertThat(read.log()).isEqualTo("logs/dev/r/app_db.log");
        assertThat(read.inexactBecause()).isNull();
    }

    @Test
    void theUpstreamsAreCarriedThroughEveryChangeAndWritten() throws Exception {
        var result = StageResult.pending("app_db").with(StageStatus.PLANNING).withInexact(List.of("network"))
                .withLog("logs/x").withPlan(new PlanSummary(0, 1, 0, List.of(), List.of())).withSavedPlan(null, null)
                .withConfirmation(null).withPlanning(null, "fp").withTimings(null).with(StageStatus.PLANNED);
        assertThat(result.inexactBecause()).containsExactly("network");
        var json = Json.MAPPER.writeValueAsString(result);
        assertThat(json).contains("\"inexactBecause\"");
        assertThat(Json.MAPPER.readValue(json, StageResult.class)).isEqualTo(result);
        assertThat(result.withInexact(List.of()).inexactBecause()).as("empty is exact").isNull();
        assertThat(result.retried().inexactBecause()).as("a retried plan is judged again").isNull();
    }
}
