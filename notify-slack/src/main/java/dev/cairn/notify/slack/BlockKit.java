package dev.cairn.notify.slack;

import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.terraform.PlanSummary;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Block Kit messages as plain maps (serialized to JSON for {@code chat.postMessage}, acks and
 * updates), shared by the Slack app ({@code chatops}) and the run notifier of the state machine's
 * task function, which must not carry Bolt. Every message goes through {@link #limited}: at most {@value #MAX_BLOCKS} blocks and
 * {@value #MAX_TEXT} characters per text, so Slack never refuses one.
 */
public final class BlockKit {
    public static final int MAX_BLOCKS = 50;
    public static final int MAX_TEXT = 3000;
    /** Resource addresses shown per stage before the rest are folded into "... and N more". */
    public static final int ADDRESSES_SHOWN = 5;
    public static final String APPROVE = "cairn_approve";
    public static final String REJECT = "cairn_reject";

    private BlockKit() {
    }

    public static Map<String, Object> section(String markdown) {
        return Map.of("type", "section", "text", Map.of("type", "mrkdwn", "text", clip(markdown)));
    }

    public static Map<String, Object> context(String markdown) {
        return Map.of("type", "context", "elements", List.of(Map.of("type", "mrkdwn", "text", clip(markdown))));
    }

    public static String clip(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT - 1) + "…";
    }

    /**
     * The same blocks with every text through {@code redact}, before they are serialized: JSON
     * escapes some characters ({@code "}, {@code \\}, and Gson's {@code <>&='}), so a secret holding
     * one would no longer be found in the JSON text.
     */
    @SuppressWarnings("unchecked")
    public static <T> T redacted(T value, java.util.function.UnaryOperator<String> redact) {
        return (T) switch (value) {
            case String s -> redact.apply(s);
            case Map<?, ?> m -> {
                var out = new LinkedHashMap<Object, Object>();
                m.forEach((k, v) -> out.put(k, redacted(v, redact)));
                yield out;
            }
            case List<?> l -> l.stream().map(v -> redacted(v, redact)).toList();
            case null, default -> value;
        };
    }

    /** Clips to {@value #MAX_BLOCKS} blocks, the last saying how many were left out. */
    public static List<Map<String, Object>> limited(List<Map<String, Object>> blocks) {
        if (blocks.size() <= MAX_BLOCKS) return blocks;
        var kept = new ArrayList<>(blocks.subList(0, MAX_BLOCKS - 1));
        kept.add(context("… " + (blocks.size() - MAX_BLOCKS + 1) + " more blocks not shown; `cairn status` has everything"));
        return kept;
    }

    public static Map<String, Object> message(String text, List<Map<String, Object>> blocks) {
        var m = new LinkedHashMap<String, Object>();
        m.put("text", clip(text));
        m.put("blocks", limited(blocks));
        return m;
    }

    public static List<Map<String, Object>> runStarted(String infrastructure, String action, String runName, String user, String commit) {
        return runStarted(infrastructure, action, runName, user, commit, List.of());
    }

    /** @param stages the stages the run is limited to; empty: every stage */
    public static List<Map<String, Object>> runStarted(String infrastructure, String action, String runName, String user, String commit,
                                                       List<String> stages) {
        var only = stages.isEmpty() ? "" : " (only `" + String.join("`, `", stages) + "`)";
        return List.of(section(":arrow_forward: *" + action + " " + infrastructure + "*" + only + " started by <@" + user + ">"),
                context("run `" + runName + "` · commit `" + shortCommit(commit) + "`"));
    }

    /** The run's thread head: one line per stage, updated in place. */
    public static List<Map<String, Object>> progress(Run run) {
        var blocks = new ArrayList<Map<String, Object>>();
        blocks.add(section("*" + run.action().name().toLowerCase() + " " + run.infrastructure() + "* · " + run.status().name().toLowerCase()));
        for (var stage : run.stages().values()) blocks.addAll(stage(stage));
        blocks.add(context("run `" + run.infrastructure() + "/" + run.id() + "`"));
        return limited(blocks);
    }

    public static List<Map<String, Object>> stage(StageResult stage) {
        var line = icon(stage) + " `" + stage.stage() + "` " + stage.status().label();
        if (stage.plan() != null && stage.plan().hasChanges()) line += " · " + planLine(stage.plan());
        var blocks = new ArrayList<Map<String, Object>>();
        blocks.add(section(line + (stage.plan() == null ? "" : addresses(stage.plan()))));
        if (stage.error() != null) blocks.add(section("```" + tail(stage.error(), 1500) + "```"));
        return blocks;
    }

    public static String planLine(PlanSummary plan) {
        return "+" + plan.add() + " ~" + plan.change() + " -" + plan.destroy();
    }

    /** The changed addresses, the first {@value #ADDRESSES_SHOWN}, the rest folded. */
    public static String addresses(PlanSummary plan) {
        if (plan.resources().isEmpty()) return "";
        var text = new StringBuilder();
        var shown = plan.resources().subList(0, Math.min(ADDRESSES_SHOWN, plan.resources().size()));
        for (var rc : shown) text.append("\n").append(symbol(rc.action())).append(" `").append(rc.address()).append("`");
        if (plan.resources().size() > ADDRESSES_SHOWN) text.append("\n… and ").append(plan.resources().size() - ADDRESSES_SHOWN).append(" more");
        return text.toString();
    }

    public static List<Map<String, Object>> approval(ApprovalStore.Approval a) {
        var value = a.infrastructure() + "/" + a.runId() + "/" + a.stage();
        return limited(List.of(
                section(":raised_hand: *" + a.infrastructure() + "* `" + a.stage() + "` waits for approval: "
                        + planLine(a.plan() == null ? PlanSummary.EMPTY : a.plan())
                        + (a.plan() == null ? "" : addresses(a.plan()))),
                context("requested by " + who(a.requestedBy()) + " · plan sha256 `" + (a.planSha256() == null ? "?" : a.planSha256().substring(0, Math.min(12, a.planSha256().length()))) + "`"),
                Map.of("type", "actions", "block_id", "cairn_approval", "elements", List.of(
                        Map.of("type", "button", "action_id", APPROVE, "style", "primary", "value", value,
                                "text", Map.of("type", "plain_text", "text", "Approve")),
                        Map.of("type", "button", "action_id", REJECT, "style", "danger", "value", value,
                                "text", Map.of("type", "plain_text", "text", "Reject"))))));
    }

    public static List<Map<String, Object>> decided(ApprovalStore.Approval a) {
        var verb = a.state() == ApprovalStore.State.APPROVED ? ":white_check_mark: approved" : ":x: rejected";
        return List.of(section("*" + a.infrastructure() + "* `" + a.stage() + "` " + verb + " by " + who(a.decidedBy())
                + (a.reason() == null ? "" : ": " + a.reason())));
    }

    /** The result: every output of every stage, sensitive ones masked. */
    public static List<Map<String, Object>> result(Run run, Map<String, StageOutputs> outputs) {
        var blocks = new ArrayList<Map<String, Object>>();
        blocks.add(section("*" + run.infrastructure() + "* " + run.action().name().toLowerCase() + " " + run.status().name().toLowerCase()
                + (run.error() == null ? "" : ": " + run.error())));
        for (var stage : outputs.values()) {
            var text = new StringBuilder("`" + stage.stage() + "`");
            stage.values().forEach((k, v) -> text.append("\n• ").append(k).append(" = ").append(v.sensitive() ? "(sensitive)" : "`" + v.value() + "`"));
            blocks.add(section(text.toString()));
        }
        for (var s : run.stages().values()) if (s.error() != null) blocks.add(section(":x: `" + s.stage() + "` failed:\n```" + tail(s.log() != null ? s.log() : s.error(), 2000) + "```"));
        return limited(blocks);
    }

    private static String tail(String text, int max) {
        return text.length() <= max ? text : "…" + text.substring(text.length() - max);
    }

    private static String who(String actor) {
        return actor != null && actor.startsWith("slack:") ? "<@" + actor.substring(6) + ">" : String.valueOf(actor);
    }

    static String shortCommit(String commit) {
        return commit == null ? "?" : commit.length() > 12 ? commit.substring(0, 12) : commit;
    }

    static String symbol(PlanSummary.Action action) {
        return switch (action) {
            case CREATE -> "+";
            case UPDATE -> "~";
            case DELETE -> "-";
            case REPLACE -> "-/+";
            case READ -> "<=";
        };
    }

    private static String icon(StageResult stage) {
        return switch (stage.status()) {
            case APPLIED, DESTROYED, NO_CHANGES -> ":white_check_mark:";
            case FAILED -> ":x:";
            case PLANNING, APPLYING, DESTROYING -> ":hourglass_flowing_sand:";
            case SKIPPED, DEFERRED -> ":fast_forward:";
            default -> ":white_circle:";
        };
    }
}
