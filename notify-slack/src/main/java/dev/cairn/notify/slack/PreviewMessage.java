package dev.cairn.notify.slack;

import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.terraform.PlanSummary;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The channel message of a finished PR/MR plan preview ({@code notifications.slack.previews}),
 * what a reviewer needs without opening the PR, as the PR comment has it: a header naming the PR
 * (a link when its page is known), the head and the infrastructure; the verdict (changes, no
 * changes, or failed with the first error line) with the {@code +add ~change -destroy} totals; a
 * summary table (a section of fields per five stages: the stage, its plan or failed / skipped /
 * deferred, and "inexact: depends on changes in `network`"); the first
 * {@value BlockKit#ADDRESSES_SHOWN} resource addresses of each changing stage, the rest folded; and
 * a footer linking the run's page (else naming the {@code cairn status} command) and saying that
 * nothing was applied. No output value is ever shown, a preview's or the last apply's.
 *
 * <p>Every text from the run goes through the redactor before it is escaped for Slack's mrkdwn and
 * clipped. The whole stays within Block Kit's limits ({@value BlockKit#MAX_BLOCKS} blocks, 10
 * fields a section, {@value BlockKit#MAX_TEXT} characters a text): the header, verdict, table and
 * footer are kept; a table of more than {@value #MAX_ROWS} stages folds its unchanged stages into
 * one row, then its last rows; the address sections are cut first, into "… N more stages".
 */
public final class PreviewMessage {
    /** Stage rows of the summary table (with its header row: at most five sections of fields). */
    static final int MAX_ROWS = 24;
    /** Slack: at most 10 fields a section, each at most 2,000 characters. */
    static final int FIELDS = 10;
    static final int MAX_FIELD = 2000;
    /** An error's first line or a resource address, at most this long. */
    static final int MAX_LINE = 300;

    private PreviewMessage() {
    }

    /**
     * @param pullRequestUrl the PR's page, or empty (the header then names it as text)
     * @param runUrl         the run's page, or empty (the footer then names the CLI command)
     */
    public static List<Map<String, Object>> blocks(Run run, Optional<String> pullRequestUrl, Optional<String> runUrl,
                                                   UnaryOperator<String> redact) {
        var head = new ArrayList<Map<String, Object>>();
        head.add(BlockKit.section(":mag: *plan preview* of " + pullRequest(run, pullRequestUrl, redact) + " at `" + BlockKit.shortCommit(run.revision())
                + "`: *" + escape(run.infrastructure()) + "*"));
        head.add(BlockKit.section(verdict(run, redact)));
        head.addAll(table(run, redact));
        var footer = BlockKit.context(footer(run, runUrl, redact));

        var details = new ArrayList<Map<String, Object>>();
        for (var stage : run.stages().values()) {
            if (stage.plan() != null && !stage.plan().resources().isEmpty()) details.add(BlockKit.section(addresses(stage, redact)));
        }
        int room = BlockKit.MAX_BLOCKS - head.size() - 1;
        var blocks = new ArrayList<>(head);
        if (details.size() <= room) {
            blocks.addAll(details);
        } else {
            blocks.addAll(details.subList(0, room - 1));
            blocks.add(BlockKit.context("… the addresses of " + (details.size() - room + 1) + " more changing stages are in the run's log"));
        }
        blocks.add(footer);
        return blocks;
    }

    /** The one-line fallback text (notifications, screen readers): the PR, the head, the infrastructure and the verdict with its totals. */
    public static String text(Run run, UnaryOperator<String> redact) {
        var line = "plan preview of " + redact.apply(String.valueOf(Previews.pullRequest(run.trigger()))) + " at " + BlockKit.shortCommit(run.revision())
                + ": " + run.infrastructure() + " ";
        var failed = firstFailed(run);
        if (run.status() != RunStatus.SUCCEEDED) {
            var what = run.status() == RunStatus.CANCELLED ? "cancelled" : "failed";
            line += failed.map(s -> what + " at " + s.stage() + ": " + firstLine(s.error(), redact))
                    .orElse(what + ": " + firstLine(run.error(), redact));
        } else {
            var totals = Totals.of(run);
            line += totals.stages() == 0 ? "has no changes" + totals.notes() : "has changes, " + totals;
        }
        return BlockKit.clip(escape(line.replace('\n', ' ')));
    }

    private static String pullRequest(Run run, Optional<String> url, UnaryOperator<String> redact) {
        var label = escape(redact.apply(String.valueOf(Previews.pullRequest(run.trigger()))));
        return url.map(u -> "<" + linkTarget(redact.apply(u)) + "|" + label + ">").orElse(label);
    }

    /** What the preview found; a failure names the first failed stage and its first error line (else the run's). */
    private static String verdict(Run run, UnaryOperator<String> redact) {
        var totals = Totals.of(run);
        if (run.status() == RunStatus.SUCCEEDED) {
            if (totals.stages() > 0) return ":large_yellow_circle: *Plan has changes:* " + totals + ".";
            return totals.notes().isEmpty() ? ":white_check_mark: *No changes.*" : ":white_check_mark: *No changes*" + totals.notes() + ".";
        }
        var what = run.status() == RunStatus.CANCELLED ? "was cancelled" : "failed";
        var failed = firstFailed(run);
        var text = failed.map(s -> ":x: *The preview " + what + "* at `" + escape(s.stage()) + "`: " + escape(firstLine(s.error(), redact)))
                .orElse(":x: *The preview " + what + ":* " + escape(firstLine(run.error(), redact)));
        return text + (totals.stages() == 0 ? "" : "\nPlanned before it stopped: " + totals + ".");
    }

    /** The summary table: a header row and one row per stage, two fields a row, five rows a section. */
    private static List<Map<String, Object>> table(Run run, UnaryOperator<String> redact) {
        var rows = new ArrayList<String[]>();
        for (var stage : run.stages().values()) rows.add(new String[]{"`" + escape(stage.stage()) + "`", cell(stage, redact)});
        if (rows.size() > MAX_ROWS) rows = foldUnchanged(run, redact);
        if (rows.size() > MAX_ROWS) {
            int hidden = rows.size() - MAX_ROWS + 1;
            rows = new ArrayList<>(rows.subList(0, MAX_ROWS - 1));
            rows.add(new String[]{"… " + hidden + " more stages", "in the run's log"});
        }
        var fields = new ArrayList<Map<String, Object>>();
        fields.add(field("*stage*"));
        fields.add(field("*plan*"));
        for (var row : rows) {
            fields.add(field(row[0]));
            fields.add(field(row[1]));
        }
        var sections = new ArrayList<Map<String, Object>>();
        for (int i = 0; i < fields.size(); i += FIELDS) {
            sections.add(Map.of("type", "section", "fields", List.copyOf(fields.subList(i, Math.min(fields.size(), i + FIELDS)))));
        }
        return sections;
    }

    /** The rows with every stage that has no changes (and is not inexact) in one row of their names. */
    private static ArrayList<String[]> foldUnchanged(Run run, UnaryOperator<String> redact) {
        var rows = new ArrayList<String[]>();
        var unchanged = new ArrayList<String>();
        for (var stage : run.stages().values()) {
            boolean quiet = (stage.status() == StageStatus.NO_CHANGES || stage.plan() != null && !stage.plan().hasChanges())
                    && stage.status() != StageStatus.FAILED && stage.inexactBecause() == null;
            if (quiet) unchanged.add("`" + escape(stage.stage()) + "`");
            else rows.add(new String[]{"`" + escape(stage.stage()) + "`", cell(stage, redact)});
        }
        if (!unchanged.isEmpty()) rows.add(new String[]{String.join(", ", unchanged), "no changes (" + unchanged.size() + " stages)"});
        return rows;
    }

    private static Map<String, Object> field(String markdown) {
        var text = markdown.length() <= MAX_FIELD ? markdown : markdown.substring(0, MAX_FIELD - 1) + "…";
        return Map.of("type", "mrkdwn", "text", text);
    }

    /** A stage's plan: failed with the first error line, skipped, deferred, no changes, or its totals and changing outputs; then inexact. */
    static String cell(StageResult stage, UnaryOperator<String> redact) {
        var plan = stage.plan();
        var text = switch (stage.status()) {
            case FAILED -> ":x: failed: " + escape(firstLine(stage.error(), redact));
            case SKIPPED -> "skipped" + (stage.error() == null ? ""
                    : ": " + escape(firstLine(stage.error(), redact).replaceFirst("^skipped:\\s*", "")));
            case DEFERRED -> ":fast_forward: deferred: reads an input known only after an upstream stage applies";
            default -> {
                if (plan == null) yield stage.status().label();
                if (!plan.hasChanges()) yield "no changes";
                yield "`" + BlockKit.planLine(plan) + "`"
                        + (plan.outputChanges().isEmpty() ? "" : " · outputs: " + escape(redact.apply(String.join(", ", plan.outputChanges().stream()
                        .map(name -> plan.knownAfterApply(name) ? name + " (known after apply)" : name).toList()))));
            }
        };
        return text + inexact(stage);
    }

    /** " · inexact: depends on changes in `network`" when an upstream plan of the run changes an output the stage reads. */
    private static String inexact(StageResult stage) {
        if (stage.inexactBecause() == null || stage.status() == StageStatus.FAILED || stage.status() == StageStatus.SKIPPED) return "";
        var names = new ArrayList<String>();
        for (var upstream : stage.inexactBecause()) names.add("`" + escape(upstream) + "`");
        return " · :warning: inexact: depends on changes in " + String.join(", ", names);
    }

    /** A changing stage's first addresses, the rest folded into "… and N more". */
    private static String addresses(StageResult stage, UnaryOperator<String> redact) {
        var resources = stage.plan().resources();
        var text = new StringBuilder("*`" + escape(stage.stage()) + "`* `" + BlockKit.planLine(stage.plan()) + "`");
        for (int i = 0; i < Math.min(BlockKit.ADDRESSES_SHOWN, resources.size()); i++) {
            var change = resources.get(i);
            text.append("\n`").append(escape(BlockKit.symbol(change.action()))).append(' ')
                    .append(escape(clipLine(redact.apply(change.address())).replace('`', '\''))).append('`');
        }
        if (resources.size() > BlockKit.ADDRESSES_SHOWN) text.append("\n… and ").append(resources.size() - BlockKit.ADDRESSES_SHOWN).append(" more");
        return text.toString();
    }

    /** "base `main` at TIP → head · run R (a link, else the CLI command) · nothing was applied". */
    private static String footer(Run run, Optional<String> runUrl, UnaryOperator<String> redact) {
        // the base tip the head was planned merged into (an older trigger names only the merge base)
        var onto = Previews.onto(run.trigger());
        var base = onto.map(Previews.Onto::commit).orElse(Previews.mergeBase(run.trigger()));
        var runText = runUrl.map(u -> "run <" + linkTarget(redact.apply(u)) + "|" + escape(run.id()) + ">")
                .orElse("run `" + escape(run.id()) + "` (`cairn status REPO --infra " + escape(run.infrastructure()) + " --run " + escape(run.id())
                        + "`)");
        return "base " + onto.map(o -> "`" + escape(o.branch()) + "` at ").orElse("") + "`" + BlockKit.shortCommit(base) + "` → head `" + BlockKit.shortCommit(run.revision()) + "` · " + runText
                + " · nothing was applied; Terraform state and the apply lock were not touched";
    }

    /** The stages with changes and their sums, and how many stages are inexact or deferred (as the PR comment's status line counts them). */
    private record Totals(int add, int change, int destroy, int stages, int inexact, int deferred) {
        static Totals of(Run run) {
            int add = 0, change = 0, destroy = 0, stages = 0, inexact = 0, deferred = 0;
            for (var stage : run.stages().values()) {
                if (stage.status() == StageStatus.DEFERRED) deferred++;
                if (!PreviewMessage.inexact(stage).isEmpty()) inexact++;
                var plan = stage.plan();
                if (plan == null || stage.status() == StageStatus.FAILED || !plan.hasChanges()) continue;
                add += plan.add();
                change += plan.change();
                destroy += plan.destroy();
                stages++;
            }
            return new Totals(add, change, destroy, stages, inexact, deferred);
        }

        /** " · 1 inexact · 2 deferred until upstream applies", or empty. */
        String notes() {
            return (inexact == 0 ? "" : " · " + inexact + " inexact") + (deferred == 0 ? "" : " · " + deferred + " deferred until upstream applies");
        }

        @Override
        public String toString() {
            return "+" + add + " ~" + change + " -" + destroy + " in " + stages + " stage" + (stages == 1 ? "" : "s") + notes();
        }
    }

    private static Optional<StageResult> firstFailed(Run run) {
        return run.stages().values().stream().filter(s -> s.status() == StageStatus.FAILED).findFirst();
    }

    /** Slack's mrkdwn control characters as entities, so that an error's {@code <nil>} is not read as a link or mention. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** A URL as a Slack link's target: what would end the link or start its label percent-encoded. */
    static String linkTarget(String url) {
        return url.replace(" ", "%20").replace("|", "%7C").replace("<", "%3C").replace(">", "%3E");
    }

    /** The first line of {@code text}, redacted before it is clipped (a secret cut in two would no longer be found). */
    private static String firstLine(String text, UnaryOperator<String> redact) {
        if (text == null || text.isBlank()) return "no error given";
        return clipLine(redact.apply(text).strip().lines().findFirst().orElse(""));
    }

    private static String clipLine(String line) {
        return line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + "…" : line;
    }

}
