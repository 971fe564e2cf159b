package dev.cairn.cli;

import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code cairn plan} prints of a plan read from {@code terraform show -json}. */
class RunPrinterTest {

    /** A real Terraform 1.11.4 plan's resource and output changes (resource_changes cut to address and actions; listed by address). */
    static final String SHOW_JSON = """
            {"format_version":"1.2","terraform_version":"1.11.4","resource_changes":[
             {"address":"terraform_data.gone","mode":"managed","type":"terraform_data","name":"gone","change":{"actions":["delete"]}},
             {"address":"terraform_data.new","mode":"managed","type":"terraform_data","name":"new","change":{"actions":["create"]}},
             {"address":"terraform_data.rep","mode":"managed","type":"terraform_data","name":"rep","change":{"actions":["delete","create"]}},
             {"address":"terraform_data.upd","mode":"managed","type":"terraform_data","name":"upd","change":{"actions":["update"]}}],
             "output_changes":{
              "endpoint":{"actions":["update"],"before":"49b63620-a923-f217-18de-021422766f58","after_unknown":true,"before_sensitive":false,"after_sensitive":false},
              "known":{"actions":["update"],"before":"static-1","after":"static-2","after_unknown":false,"before_sensitive":false,"after_sensitive":false},
              "secret_known":{"actions":["update"],"before":"hunter2-1","after":"hunter2-2","after_unknown":false,"before_sensitive":true,"after_sensitive":true}}}
            """;

    @Test
    void thePlanListsResourcesByActionThenAddressAndMarksOutputsKnownOnlyAfterApply() throws Exception {
        var plan = PlanSummary.parse(Json.MAPPER.readTree(SHOW_JSON));
        var stages = new LinkedHashMap<String, StageResult>();
        stages.put("network", new StageResult("network", StageStatus.PLANNED, plan, null, null, null, null));
        stages.put("kubernetes", StageResult.pending("kubernetes").with(StageStatus.DEFERRED));
        var run = new Run("20261202T020000Z-abcdef", "dev", RunAction.PLAN, RunStatus.SUCCEEDED, "cli", "0d1a26e67d8f",
                Instant.EPOCH, Instant.EPOCH, List.of(List.of("network"), List.of("kubernetes")), stages, null, 1);
        var text = new StringWriter();

        new RunPrinter(new PrintWriter(text), new Terminal(true)).printPlan(run);

        assertThat(text.toString()).containsSubsequence("network: 2 to add, 1 to change, 2 to destroy",
                        "  + terraform_data.new", "  ~ terraform_data.upd", "  - terraform_data.gone", "  -/+ terraform_data.rep",
                        "  outputs: endpoint (known after apply), known, secret_known",
                        "kubernetes: planned after its upstream stages apply",
                        "Plan: 2 to add, 1 to change, 2 to destroy, 1 stage planned after upstream applies.")
                .doesNotContain("hunter2", "static-2");
    }
}
