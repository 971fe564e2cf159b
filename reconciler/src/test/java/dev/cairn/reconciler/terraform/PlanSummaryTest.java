package dev.cairn.reconciler.terraform;

import dev.cairn.reconciler.manifest.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A plan summary read from {@code terraform show -json}. The fixture {@code show-plan.json} is the
 * {@code resource_changes} and {@code output_changes} of a real Terraform 1.11.4 plan (its
 * configuration is in the fixture's {@code README}): one resource of each action, listed by
 * Terraform in address order, and outputs updated to a known value, to a value known only after
 * apply, and both of those sensitive.
 */
class PlanSummaryTest {

    private static com.fasterxml.jackson.databind.JsonNode fixture() throws IOException {
        try (var in = PlanSummaryTest.class.getResourceAsStream("show-plan.json")) {
            return Json.MAPPER.readTree(in);
        }
    }

    @Test
    void resourcesAreListedByActionInTerraformsLegendOrderThenByAddress() throws IOException {
        var plan = fixture();
        var terraformOrder = new ArrayList<String>();
        plan.path("resource_changes").forEach(rc -> terraformOrder.add(rc.path("address").asText()));
        assertThat(terraformOrder).as("the fixture lists them by address, not by action")
                .containsSubsequence("terraform_data.gone", "terraform_data.new", "terraform_data.rep", "terraform_data.upd");

        var summary = PlanSummary.parse(plan);

        assertThat(summary.resources()).containsExactly(
                new PlanSummary.ResourceChange("terraform_data.new", PlanSummary.Action.CREATE),
                new PlanSummary.ResourceChange("terraform_data.upd", PlanSummary.Action.UPDATE),
                new PlanSummary.ResourceChange("terraform_data.gone", PlanSummary.Action.DELETE),
                new PlanSummary.ResourceChange("terraform_data.rep", PlanSummary.Action.REPLACE));
        assertThat(summary.describe()).as("Terraform's own line: Plan: 2 to add, 1 to change, 2 to destroy")
                .isEqualTo("2 to add, 1 to change, 2 to destroy");
    }

    @Test
    void addressesOfOneActionAreInAddressOrderWithIndexesAsNumbers() {
        var changes = new ArrayList<>(List.of(
                new PlanSummary.ResourceChange("aws_subnet.private[10]", PlanSummary.Action.CREATE),
                new PlanSummary.ResourceChange("aws_vpc.main", PlanSummary.Action.DELETE),
                new PlanSummary.ResourceChange("aws_subnet.private[2]", PlanSummary.Action.CREATE),
                new PlanSummary.ResourceChange("aws_route.a", PlanSummary.Action.CREATE),
                new PlanSummary.ResourceChange("module.db[\"b\"].aws_db_instance.this", PlanSummary.Action.UPDATE),
                new PlanSummary.ResourceChange("module.db[\"a\"].aws_db_instance.this", PlanSummary.Action.UPDATE)));

        changes.sort(PlanSummary.ORDER);

        assertThat(changes).extracting(PlanSummary.ResourceChange::address).containsExactly(
                "aws_route.a", "aws_subnet.private[2]", "aws_subnet.private[10]",
                "module.db[\"a\"].aws_db_instance.this", "module.db[\"b\"].aws_db_instance.this", "aws_vpc.main");
    }

    @Test
    void outputsWhoseNewValueIsKnownOnlyAfterApplyAreMarkedByNameOnly() throws IOException {
        var summary = PlanSummary.parse(fixture());

        assertThat(summary.outputChanges()).as("every output the plan changes, a no-op one left out")
                .containsExactlyInAnyOrder("endpoint", "known", "secret", "secret_known");
        assertThat(summary.unknownOutputs()).containsExactlyInAnyOrder("endpoint", "secret");
        assertThat(summary.knownAfterApply("endpoint")).isTrue();
        assertThat(summary.knownAfterApply("known")).isFalse();
        assertThat(Json.MAPPER.valueToTree(summary).toString()).as("the sensitive value the plan JSON holds is never kept")
                .doesNotContain("hunter2");
    }

    @Test
    void aDeletedOutputIsAChangeWithNothingToWaitFor() throws IOException {
        var plan = Json.MAPPER.readTree("""
                {"format_version":"1.2","resource_changes":[],"output_changes":{
                  "old":{"actions":["delete"],"before":"x","after":null,"after_unknown":false,"before_sensitive":false,"after_sensitive":false},
                  "same":{"actions":["no-op"],"before":"y","after":"y","after_unknown":false,"before_sensitive":false,"after_sensitive":false}}}
                """);

        var summary = PlanSummary.parse(plan);

        assertThat(summary.outputChanges()).containsExactly("old");
        assertThat(summary.unknownOutputs()).isEmpty();
        assertThat(summary.describe()).isEqualTo("0 to add, 0 to change, 0 to destroy (outputs change)");
    }

    @Test
    void aStoredSummaryWithoutUnknownOutputsReadsAndAnEmptyListIsNotWritten() throws IOException {
        var old = Json.MAPPER.readValue("""
                {"add":1,"change":0,"destroy":0,"resources":[{"address":"null_resource.db","action":"CREATE"}],"outputChanges":["id"]}
                """, PlanSummary.class);
        assertThat(old.unknownOutputs()).isEmpty();
        assertThat(old.knownAfterApply("id")).isFalse();
        assertThat(Json.MAPPER.writeValueAsString(old)).doesNotContain("unknownOutputs");

        var marked = new PlanSummary(1, 0, 0, old.resources(), List.of("id"), List.of("id"));
        var json = Json.MAPPER.writeValueAsString(marked);
        assertThat(Json.MAPPER.readTree(json).path("unknownOutputs").toString()).isEqualTo("[\"id\"]");
        assertThat(Json.MAPPER.readValue(json, PlanSummary.class)).isEqualTo(marked);
    }
}
