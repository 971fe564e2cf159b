package dev.cairn.functions.pr;

import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.terraform.PlanSummary;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The pull request comment of one infrastructure's preview, in GitHub markdown: a hidden marker
 * ({@code <!-- cairn:preview:INFRA -->}) by which the comment is found and edited in place on every
 * new head, the base and head commits, then per stage {@code +add ~change -destroy}, its resource
 * addresses (folded past {@value #SHOWN_ADDRESSES}) and output names that change, and any error.
 * Every text from the run goes through the redactor; the whole stays under GitHub's
 * {@value #MAX_CHARS}-character limit (the addresses are cut first, the summary table is kept).
 */
public final class PreviewComment {
    public static final int MAX_CHARS = 65_536;
    static final int SHOWN_ADDRESSES = 5;
    private static final String TRUNCATED = "\n\n_(cut to fit GitHub's comment limit; the full plan is in the run's stage logs)_\n";

    private PreviewComment() {
    }

    public static String marker(String infrastructure) {
        return "<!-- cairn:preview:" + infrastructure + " -->";
    }

    /** The comment of a finished preview run. */
    public static String render(Run run, String pullRequest, String base, UnaryOperator<String> redact) {
        var head = new StringBuilder();
        head.append(marker(run.infrastructure())).append('\n');
        head.append("### Cairn plan preview: `").append(run.infrastructure()).append("`\n\n");
        head.append(verdict(run)).append("\n\n");
        head.append("Base `").append(shortCommit(base)).append("` → head `").append(shortCommit(run.revision()))
                .append("` · run `").append(run.id()).append("` · nothing was applied; Terraform state and the apply lock were not touched.\n\n");
        head.append("| stage | plan |\n|---|---|\n");
        for (var stage : run.stages().values()) {
            head.append("| `").append(stage.stage()).append("` | ").append(cell(stage, redact)).append(" |\n");
        }
        var details = new StringBuilder();
        for (var stage : run.stages().values()) details.append(details(stage, redact));
        var text = head + (details.isEmpty() ? "" : "\n" + details);
        if (text.length() <= MAX_CHARS) return text;
        var room = MAX_CHARS - head.length() - TRUNCATED.length();
        return room <= 0 ? head.substring(0, MAX_CHARS - TRUNCATED.length()) + TRUNCATED
                : head + "\n" + details.substring(0, room - 1) + TRUNCATED;
    }

    /** The same comment after the PR was closed without merge: marked stale, the rest kept. */
    public static String stale(String body, String pullRequest) {
        var marker = "> [!WARNING]\n> **Stale:** " + pullRequest + " was closed without merge; this preview is no longer current.\n\n";
        if (body.contains("**Stale:**")) return body;
        int end = body.indexOf("-->");
        var text = end < 0 ? marker + body : body.substring(0, end + 3) + "\n" + marker + body.substring(end + 3).stripLeading();
        return text.length() <= MAX_CHARS ? text : text.substring(0, MAX_CHARS);
    }

    /** The one-line summary the commit status carries (GitHub: at most 140 characters). */
    public static String statusLine(Run run, UnaryOperator<String> redact) {
        if (run.status() != RunStatus.SUCCEEDED) {
            var failed = run.stages().values().stream().filter(s -> s.status() == StageStatus.FAILED).findFirst();
            var error = failed.map(s -> "`" + s.stage() + "`: " + firstLine(s.error())).orElse(firstLine(run.error()));
            return redact.apply("preview failed: " + error).replace("`", "");
        }
        int add = 0, change = 0, destroy = 0;
        for (var stage : run.stages().values()) {
            if (stage.plan() == null) continue;
            add += stage.plan().add();
            change += stage.plan().change();
            destroy += stage.plan().destroy();
        }
        var changed = run.stages().values().stream().filter(s -> s.plan() != null && s.plan().hasChanges()).count();
        return changed == 0 ? "no changes" : "+" + add + " ~" + change + " -" + destroy + " in " + changed + " stage" + (changed == 1 ? "" : "s");
    }

    private static String verdict(Run run) {
        if (run.status() == RunStatus.SUCCEEDED) {
            boolean changes = run.stages().values().stream().anyMatch(s -> s.plan() != null && s.plan().hasChanges());
            return changes ? "**Plan has changes.** Merging applies them." : "**No changes.**";
        }
        return "**The preview failed** (" + run.status().name().toLowerCase(Locale.ROOT) + ").";
    }

    private static String cell(StageResult stage, UnaryOperator<String> redact) {
        return switch (stage.status()) {
            case FAILED -> "failed: " + escape(redact.apply(firstLine(stage.error())));
            case SKIPPED -> "skipped" + (stage.error() == null ? "" : ": " + escape(redact.apply(firstLine(stage.error()))));
            default -> {
                var plan = stage.plan();
                if (plan == null) yield stage.status().name().toLowerCase(Locale.ROOT).replace('_', ' ');
                if (!plan.hasChanges()) yield "no changes";
                yield "`+" + plan.add() + " ~" + plan.change() + " -" + plan.destroy() + "`"
                        + (plan.outputChanges().isEmpty() ? "" : " · outputs: " + escape(redact.apply(String.join(", ", plan.outputChanges()))));
            }
        };
    }

    private static String details(StageResult stage, UnaryOperator<String> redact) {
        var plan = stage.plan();
        if (plan == null || plan.resources().isEmpty()) return "";
        var out = new StringBuilder();
        var resources = plan.resources();
        out.append("**`").append(stage.stage()).append("`**\n\n");
        for (int i = 0; i < Math.min(SHOWN_ADDRESSES, resources.size()); i++) out.append(line(resources.get(i), redact));
        if (resources.size() > SHOWN_ADDRESSES) {
            out.append("\n<details><summary>").append(resources.size() - SHOWN_ADDRESSES).append(" more</summary>\n\n");
            for (int i = SHOWN_ADDRESSES; i < resources.size(); i++) out.append(line(resources.get(i), redact));
            out.append("\n</details>\n");
        }
        return out.append('\n').toString();
    }

    private static String line(PlanSummary.ResourceChange change, UnaryOperator<String> redact) {
        var sign = switch (change.action()) {
            case CREATE -> "+";
            case UPDATE -> "~";
            case DELETE -> "-";
            case REPLACE -> "-/+";
            case READ -> "<=";
        };
        return "- `" + sign + " " + redact.apply(change.address()).replace("`", "'") + "`\n";
    }

    private static String escape(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }

    private static String firstLine(String text) {
        if (text == null || text.isBlank()) return "no error given";
        var line = text.strip().lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    private static String shortCommit(String commit) {
        return commit == null ? "?" : commit.length() > 12 ? commit.substring(0, 12) : commit;
    }
}
