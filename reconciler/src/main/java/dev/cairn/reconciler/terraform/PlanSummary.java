package dev.cairn.reconciler.terraform;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * What a plan would do, from {@code terraform show -json}: counts like Terraform's own
 * "Plan: 1 to add, 2 to change, 0 to destroy" and each resource address with its action.
 */
public record PlanSummary(int add, int change, int destroy, List<ResourceChange> resources, List<String> outputChanges) {

    public enum Action { CREATE, UPDATE, DELETE, REPLACE, READ }

    public record ResourceChange(String address, Action action) {
    }

    public static final PlanSummary EMPTY = new PlanSummary(0, 0, 0, List.of(), List.of());

    public boolean hasChanges() {
        return add + change + destroy > 0 || !outputChanges.isEmpty();
    }

    public String describe() {
        if (!hasChanges()) return "no changes";
        var text = add + " to add, " + change + " to change, " + destroy + " to destroy";
        return resources.isEmpty() && !outputChanges.isEmpty() ? text + " (outputs change)" : text;
    }

    public static PlanSummary parse(JsonNode plan) {
        int add = 0, change = 0, destroy = 0;
        var resources = new ArrayList<ResourceChange>();
        for (var rc : plan.path("resource_changes")) {
            var actions = new ArrayList<String>();
            rc.path("change").path("actions").forEach(a -> actions.add(a.asText()));
            Action action;
            if (actions.contains("create") && actions.contains("delete")) {
                action = Action.REPLACE;
                add++;
                destroy++;
            } else if (actions.contains("create")) {
                action = Action.CREATE;
                add++;
            } else if (actions.contains("update")) {
                action = Action.UPDATE;
                change++;
            } else if (actions.contains("delete")) {
                action = Action.DELETE;
                destroy++;
            } else {
                continue; // no-op and read are not changes
            }
            resources.add(new ResourceChange(rc.path("address").asText(), action));
        }
        var outputs = new ArrayList<String>();
        plan.path("output_changes").fields().forEachRemaining(e -> {
            var actions = e.getValue().path("actions");
            if (!(actions.size() == 1 && "no-op".equals(actions.get(0).asText()))) outputs.add(e.getKey());
        });
        return new PlanSummary(add, change, destroy, resources, outputs);
    }
}
