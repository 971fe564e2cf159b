package dev.cairn.reconciler.terraform;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a plan would do, from {@code terraform show -json}: counts like Terraform's own
 * "Plan: 1 to add, 2 to change, 0 to destroy" and each resource address with its action, in
 * {@link #ORDER} (by action as Terraform's plan legend lists them, then by address), so every
 * place that lists them (the CLI, Slack, the pull request comment) shows one order.
 *
 * @param outputChanges  the names of the outputs the plan changes (creates, updates or deletes)
 * @param unknownOutputs of those, the outputs whose new value is known only after apply (the plan's
 *                       {@code after_unknown}); names only, never values. Empty in records written
 *                       before it existed, and from a plan's UI stream (which does not say).
 */
public record PlanSummary(int add, int change, int destroy, List<ResourceChange> resources, List<String> outputChanges,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> unknownOutputs) {

    /** In the order Terraform's plan legend lists the actions: create, update in-place, destroy, replace, read. */
    public enum Action { CREATE, UPDATE, DELETE, REPLACE, READ }

    public record ResourceChange(String address, Action action) {
    }

    /**
     * The order of a plan's resource changes: by {@link Action} (Terraform's legend order), then by
     * address, with the numbers in it compared as numbers ({@code aws_subnet.a[2]} before {@code aws_subnet.a[10]}).
     */
    public static final Comparator<ResourceChange> ORDER = Comparator.comparing(ResourceChange::action)
            .thenComparing(ResourceChange::address, PlanSummary::compareAddresses);

    public static final PlanSummary EMPTY = new PlanSummary(0, 0, 0, List.of(), List.of());

    public PlanSummary {
        unknownOutputs = unknownOutputs == null ? List.of() : List.copyOf(unknownOutputs);
    }

    /** A summary that knows of no output whose value is known only after apply. */
    public PlanSummary(int add, int change, int destroy, List<ResourceChange> resources, List<String> outputChanges) {
        this(add, change, destroy, resources, outputChanges, List.of());
    }

    public boolean hasChanges() {
        return add + change + destroy > 0 || !outputChanges.isEmpty();
    }

    /** Whether the plan's new value of output {@code name} is known only after apply. */
    public boolean knownAfterApply(String name) {
        return unknownOutputs.contains(name);
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
        resources.sort(ORDER);
        var outputs = new ArrayList<String>();
        var unknown = new ArrayList<String>();
        plan.path("output_changes").fields().forEachRemaining(e -> {
            var actions = e.getValue().path("actions");
            if (actions.size() == 1 && "no-op".equals(actions.get(0).asText())) return;
            outputs.add(e.getKey());
            // true: the whole new value is known only after apply (an object or array marks only some parts; those are not marked)
            boolean deleted = actions.size() == 1 && "delete".equals(actions.get(0).asText());
            if (!deleted && e.getValue().path("after_unknown").booleanValue()) unknown.add(e.getKey());
        });
        return new PlanSummary(add, change, destroy, resources, outputs, unknown);
    }

    /** Two addresses compared character by character, a run of digits as one number. */
    static int compareAddresses(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i), y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int ei = i, ej = j;
                while (ei < a.length() && Character.isDigit(a.charAt(ei))) ei++;
                while (ej < b.length() && Character.isDigit(b.charAt(ej))) ej++;
                var da = a.substring(i, ei).replaceFirst("^0+(?=.)", "");
                var db = b.substring(j, ej).replaceFirst("^0+(?=.)", "");
                int c = da.length() != db.length() ? Integer.compare(da.length(), db.length()) : da.compareTo(db);
                if (c != 0) return c;
                i = ei;
                j = ej;
            } else {
                if (x != y) return Character.compare(x, y);
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
