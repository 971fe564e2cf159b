package dev.cairn.reconciler.bundle;

import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.StageTimings;
import dev.cairn.reconciler.store.StageOutputs.Output;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A {@link StageReport} as {@code cairn stage} writes it and the Record step reads it, with and without timings. */
class StageReportJsonTest {

    private static final PlanSummary SUMMARY = new PlanSummary(1, 0, 0, List.of(new PlanSummary.ResourceChange("null_resource.db", PlanSummary.Action.CREATE)), List.of("id"));

    @Test
    void aReportWithTimingsReadsBackTheSameCommandsInTerraformsOrder() throws Exception {
        var commands = new LinkedHashMap<String, Long>();
        commands.put("init", 410L);
        commands.put("plan", 820L);
        commands.put("show", 95L);
        var started = Instant.parse("2026-12-02T10:00:00.125Z");
        var report = new StageReport("dev", "run-1", "db", "plan", StageStatus.PLANNED, SUMMARY, "plans/db", "ab12",
                Map.of("id", new Output("x", false)), "logs/db.log", null,
                new StageReport.Timings(started, started.plusMillis(640), commands, 640));

        var read = Json.MAPPER.readValue(Json.MAPPER.writeValueAsBytes(report), StageReport.class);

        assertThat(read).isEqualTo(report);
        assertThat(read.timings().commands().keySet()).containsExactly("init", "plan", "show");
    }

    @Test
    void aReportWrittenBeforeTimingsExistedStillParsesWithoutThem() throws Exception {
        // the shape cairn stage wrote before: no `timings`
        var old = """
                {"infrastructure":"dev","runId":"run-1","stage":"db","step":"apply","status":"APPLIED",
                 "plan":{"add":1,"change":0,"destroy":0,"resources":[{"address":"null_resource.db","action":"CREATE"}],"outputChanges":["id"]},"planKey":"plans/db","planSha256":"ab12",
                 "outputs":{"id":{"value":"x","sensitive":false}},"log":"logs/db.log","error":null}
                """;

        var read = Json.MAPPER.readValue(old, StageReport.class);

        assertThat(read.status()).isEqualTo(StageStatus.APPLIED);
        assertThat(read.outputs()).containsKey("id");
        assertThat(read.timings()).isNull();
        assertThat(read).isEqualTo(new StageReport("dev", "run-1", "db", "apply", StageStatus.APPLIED, read.plan(), "plans/db", "ab12",
                read.outputs(), "logs/db.log", null));
    }

    @Test
    void anApplysTimingsAddToItsPlansAndKeepThePlansStart() {
        var started = Instant.parse("2026-12-02T10:00:00Z");
        var plan = new StageReport.Timings(started, started.plusMillis(500), Map.of("init", 300L, "plan", 700L), 500);
        var apply = new StageReport.Timings(started.plusSeconds(9), started.plusSeconds(10), Map.of("init", 200L, "apply", 1500L), 1000);

        var both = plan.then(apply);

        assertThat(both.startedAt()).isEqualTo(started);
        assertThat(both.terraformStartedAt()).isEqualTo(started.plusMillis(500));
        assertThat(both.commands()).isEqualTo(Map.of("init", 500L, "plan", 700L, "apply", 1500L));
        assertThat(both.startupMillis()).isEqualTo(1500);
    }

    @Test
    void stageTimingsRecordedBeforeStartUpExistedReadWithoutIt() throws Exception {
        var local = new StageTimings(Map.of("plan", 5L), 5, 0, List.of());
        var json = Json.MAPPER.writeValueAsString(local);

        var read = Json.MAPPER.readValue(json.replace("\"startupMillis\" : null", "\"ignored\" : 0"), StageTimings.class);

        assertThat(read).isEqualTo(local);
        assertThat(read.startupMillis()).isNull();
    }
}
