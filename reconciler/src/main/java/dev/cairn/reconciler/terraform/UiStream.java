package dev.cairn.reconciler.terraform;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.store.StageOutputs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Terraform's machine-readable UI ({@code plan -json}, {@code apply -json}): one JSON message a
 * line. Gives the plan summary without a {@code show -json} and the outputs without an
 * {@code output -json} (except sensitive values, which the stream leaves out).
 */
final class UiStream {
    private final List<JsonNode> messages = new ArrayList<>();

    static UiStream parse(String stdout) {
        var stream = new UiStream();
        for (var line : stdout.split("\n")) {
            if (!line.startsWith("{")) continue;
            try {
                stream.messages.add(Json.MAPPER.readTree(line));
            } catch (IOException e) {
                // not a UI message; Terraform only writes those with -json
            }
        }
        return stream;
    }

    /** The human text of one UI line, as the log keeps it (a diagnostic with its detail). */
    static String humanText(String line) {
        if (!line.startsWith("{")) return line;
        try {
            var m = Json.MAPPER.readTree(line);
            var text = m.path("@message").asText();
            var detail = m.path("diagnostic").path("detail").asText("");
            return detail.isBlank() ? text : text + "\n" + detail.strip().indent(2).stripTrailing();
        } catch (IOException e) {
            return line;
        }
    }

    String errors() {
        var out = new StringBuilder();
        for (var m : messages) {
            if (!"diagnostic".equals(m.path("type").asText()) || !"error".equals(m.path("@level").asText())) continue;
            var d = m.path("diagnostic");
            if (!out.isEmpty()) out.append('\n');
            out.append("Error: ").append(d.path("summary").asText());
            var range = d.path("range");
            if (range.has("filename")) out.append("\n  on ").append(range.path("filename").asText()).append(" line ").append(range.at("/start/line").asInt());
            var detail = d.path("detail").asText("");
            if (!detail.isBlank()) out.append("\n").append(detail.strip());
        }
        return out.toString();
    }

    PlanSummary summary() {
        int add = 0, change = 0, destroy = 0;
        var resources = new ArrayList<PlanSummary.ResourceChange>();
        var outputChanges = new ArrayList<String>();
        for (var m : messages) {
            switch (m.path("type").asText()) {
                case "planned_change" -> {
                    var action = switch (m.at("/change/action").asText()) {
                        case "create" -> PlanSummary.Action.CREATE;
                        case "update" -> PlanSummary.Action.UPDATE;
                        case "delete" -> PlanSummary.Action.DELETE;
                        case "replace" -> PlanSummary.Action.REPLACE;
                        default -> null;
                    };
                    if (action != null) resources.add(new PlanSummary.ResourceChange(m.at("/change/resource/addr").asText(), action));
                }
                case "change_summary" -> {
                    add = m.at("/changes/add").asInt();
                    change = m.at("/changes/change").asInt();
                    destroy = m.at("/changes/remove").asInt();
                }
                case "outputs" -> m.path("outputs").fields().forEachRemaining(e -> {
                    var action = e.getValue().path("action").asText("noop");
                    if (!action.equals("noop")) outputChanges.add(e.getKey());
                });
                default -> {
                }
            }
        }
        resources.sort(PlanSummary.ORDER);
        // the stream gives an output's action only, not whether its new value is known after apply
        return new PlanSummary(add, change, destroy, resources, outputChanges);
    }

    /** Names of the outputs the plan knows of (every action, noop included). */
    List<String> outputNames() {
        var names = new ArrayList<String>();
        for (var m : messages) {
            if ("outputs".equals(m.path("type").asText())) m.path("outputs").fieldNames().forEachRemaining(names::add);
        }
        return names;
    }

    /**
     * The outputs an apply reported, or null when one of them is sensitive (the stream leaves
     * sensitive values out, so they must be read with {@code output -json}).
     */
    Map<String, StageOutputs.Output> appliedOutputs() {
        Map<String, StageOutputs.Output> out = new LinkedHashMap<>();
        for (var m : messages) {
            if (!"outputs".equals(m.path("type").asText())) continue;
            out = new LinkedHashMap<>();
            for (var it = m.path("outputs").fields(); it.hasNext(); ) {
                var e = it.next();
                if (e.getValue().path("sensitive").asBoolean()) return null;
                var value = e.getValue().get("value");
                out.put(e.getKey(), new StageOutputs.Output(value == null ? null : Json.MAPPER.convertValue(value, Object.class), false));
            }
        }
        return out;
    }
}
