package dev.cairn.functions.pr;

import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.terraform.PlanSummary;

import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The pull request comment of one infrastructure's preview, in GitHub markdown: a hidden marker
 * ({@code <!-- cairn:preview:INFRA -->}) by which the comment is found and edited in place on every
 * new head, a verdict with the counts the commit status carries too ({@link #counts}: changes, inexact
 * and deferred stages), the base and head commits, then per stage {@code +add ~change -destroy}, its
 * resource addresses (by action, then address, as {@link PlanSummary} orders them; folded past
 * {@value #SHOWN_ADDRESSES}), the names of the outputs that change (those whose new value is known
 * only after apply marked so; never a value), why a deferred stage could not be planned, and any error.
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

    /** The comment of a finished preview run, the full log named by the CLI command that shows it. */
    public static String render(Run run, String pullRequest, String base, UnaryOperator<String> redact) {
        return render(run, pullRequest, base, redact, Optional.empty());
    }

    /**
     * The comment of a finished preview run; {@code logUrl} the page of its full log
     * ({@link RunLinks}), else the comment names the CLI command. The link line sits in the head,
     * which is kept whole when the comment is cut to the limit.
     */
    public static String render(Run run, String pullRequest, String base, UnaryOperator<String> redact, Optional<String> logUrl) {
        return render(run, pullRequest, base, redact, logUrl, false);
    }

    /**
     * As {@link #render(Run, String, String, UnaryOperator, Optional)}; {@code approval}: the
     * infrastructure's policy asks for approval before an apply ({@code policy.apply: approval}), so
     * the comment says that merging asks for it in Slack rather than that merging applies.
     */
    public static String render(Run run, String pullRequest, String base, UnaryOperator<String> redact, Optional<String> logUrl,
                                boolean approval) {
        var head = new StringBuilder();
        head.append(marker(run.infrastructure())).append('\n');
        head.append(planMark(run)).append('\n');
        head.append(headMark(run)).append('\n');
        head.append("### Cairn plan preview: `").append(run.infrastructure()).append("`\n\n");
        head.append(verdict(run, redact, approval)).append("\n\n");
        head.append(commits(run, base)).append(" · run `").append(run.id()).append("` · nothing was applied; Terraform state and the apply lock were not touched.\n\n");
        head.append(logLine(run, logUrl, redact)).append("\n\n");
        head.append("| stage | plan |\n|---|---|\n");
        for (var stage : run.stages().values()) {
            head.append("| `").append(stage.stage()).append("` | ").append(cell(run, stage, redact)).append(" |\n");
        }
        var details = new StringBuilder();
        for (var stage : run.stages().values()) details.append(details(stage, redact));
        var text = head + (details.isEmpty() ? "" : "\n" + details);
        if (text.length() <= MAX_CHARS) return text;
        var room = MAX_CHARS - head.length() - TRUNCATED.length();
        return room <= 0 ? head.substring(0, MAX_CHARS - TRUNCATED.length()) + TRUNCATED
                : head + "\n" + details.substring(0, room - 1) + TRUNCATED;
    }

    /**
     * "Base `TIP` → head `HEAD`": the base branch tip the head was planned merged into (what merging
     * applies), and when the branch is behind it, from where it branched; an older preview's trigger
     * names only the merge base, shown as the base.
     */
    static String commits(Run run, String mergeBase) {
        var onto = Previews.onto(run.trigger());
        var base = onto.map(Previews.Onto::commit).orElse(mergeBase);
        var text = "Base " + onto.map(o -> "`" + o.branch() + "` at ").orElse("") + "`" + shortCommit(base) + "` → head `" + shortCommit(run.revision()) + "`";
        if (onto.isPresent() && mergeBase != null && !onto.get().commit().equals(mergeBase)) {
            text += " (the branch is behind `" + onto.get().branch() + "`: planned as merged into it, as merging would apply; branched from `"
                    + shortCommit(mergeBase) + "`)";
        }
        return text;
    }

    /** "Full log: …": a link to the run's page, or the command that prints the run. */
    static String logLine(Run run, Optional<String> logUrl, UnaryOperator<String> redact) {
        if (logUrl.isPresent()) {
            return "Full log: [run `" + run.id() + "`](" + linkTarget(redact.apply(logUrl.get())) + ")";
        }
        return "Full log: `cairn status REPO --infra " + run.infrastructure() + " --run " + run.id() + "` (REPO: a checkout of this repository)";
    }

    /** A URL as a markdown link's target: what would end or break the link percent-encoded. */
    static String linkTarget(String url) {
        return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E");
    }

    private static final String HEAD = "<!-- cairn:head ";

    /** The hidden line that records which head the comment shows and when its run started (epoch ms), to order two heads' previews. */
    static String headMark(Run run) {
        return HEAD + run.revision() + " " + (run.startedAt() == null ? 0 : run.startedAt().toEpochMilli()) + " -->";
    }

    /** The head commit a preview comment shows (its hidden head line; an older comment: the short "head" it names), or null. */
    public static String headOf(String body) {
        int at = body.indexOf(HEAD);
        if (at >= 0) {
            int end = body.indexOf(" -->", at);
            if (end > at) return body.substring(at + HEAD.length(), end).split(" ")[0];
        }
        var shown = java.util.regex.Pattern.compile("→ head `([0-9a-f]{7,40})`").matcher(body);
        return shown.find() ? shown.group(1) : null;
    }

    /** When the run a preview comment shows started, as its head line records it; empty for an older comment. */
    public static Optional<java.time.Instant> startedOf(String body) {
        int at = body.indexOf(HEAD);
        if (at < 0) return Optional.empty();
        int end = body.indexOf(" -->", at);
        var parts = end < 0 ? new String[0] : body.substring(at + HEAD.length(), end).split(" ");
        try {
            return parts.length < 2 ? Optional.empty() : Optional.of(java.time.Instant.ofEpochMilli(Long.parseLong(parts[1])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code shown} (a full or short commit a comment names) is {@code commit}. */
    public static boolean sameHead(String shown, String commit) {
        return shown != null && commit != null && commit.startsWith(shown);
    }

    private static final java.util.regex.Pattern STALE = java.util.regex.Pattern.compile(
            "> \\[!WARNING\\]\n> \\*\\*Stale:\\*\\*[^\n]*\n(\n)?");

    /** The comment of a reopened PR: the stale banner {@link #stale} added is gone, the rest kept. */
    public static String current(String body) {
        return STALE.matcher(body).replaceFirst("");
    }

    /** The same comment after the PR was closed without merge: marked stale, the rest kept. */
    public static String stale(String body, String pullRequest) {
        var marker = "> [!WARNING]\n> **Stale:** " + pullRequest + " was closed without merge; this preview is no longer current.\n\n";
        if (body.contains("**Stale:**")) return body;
        int end = body.indexOf("-->");
        var text = end < 0 ? marker + body : body.substring(0, end + 3) + "\n" + marker + body.substring(end + 3).stripLeading();
        return text.length() <= MAX_CHARS ? text : text.substring(0, MAX_CHARS);
    }

    /** In a comment whose infrastructure the PR's newest head no longer changes: merging applies nothing to it. */
    static final String NOTHING_TO_APPLY = "<!-- cairn:nothing-to-apply -->";
    private static final java.util.regex.Pattern NOTHING_BANNER = java.util.regex.Pattern.compile(
            java.util.regex.Pattern.quote(NOTHING_TO_APPLY) + "\n(> [^\n]*\n)*\n?");

    /**
     * The comment of an infrastructure the PR changed at an earlier head and no longer changes at
     * {@code head} ({@code deleted}: the head deletes its manifest): a note on top says so and that
     * merging applies nothing to it; the earlier preview is kept below it. A stale comment stays
     * stale. A later head that changes it again renders the comment anew, without the note. Its
     * hidden head line names {@code head} from then ({@code now}), so an earlier head's preview that
     * ends late leaves it alone.
     */
    public static String nothingToApply(String body, String pullRequest, String infrastructure, String head, String deletedManifest,
                                        java.time.Instant now) {
        if (body.contains("**Stale:**") || nothingToApply(body) && head.equals(headOf(body))) return body; // stale, or told at this head
        var why = deletedManifest == null
                ? "at head `" + shortCommit(head) + "`, " + pullRequest + " no longer changes `" + infrastructure + "`: merging applies nothing to it."
                : "at head `" + shortCommit(head) + "`, " + pullRequest + " deletes `" + deletedManifest + "`: merging destroys nothing and Cairn"
                  + " stops reconciling `" + infrastructure + "` (to remove its resources, run `cairn destroy` before merging).";
        var note = NOTHING_TO_APPLY + "\n> [!NOTE]\n> **Nothing to apply:** " + why + " The preview below is of an earlier head.\n\n";
        var text = NOTHING_BANNER.matcher(body).replaceFirst("");
        // the comment now speaks for this head: an older head's preview ending late never overwrites it
        text = text.replaceFirst(java.util.regex.Pattern.quote(HEAD) + "[^\n]* -->", java.util.regex.Matcher.quoteReplacement(
                HEAD + head + " " + (now == null ? 0 : now.toEpochMilli()) + " -->"));
        int end = text.indexOf("-->");
        text = end < 0 ? note + text : text.substring(0, end + 3) + "\n" + note + text.substring(end + 3).stripLeading();
        return text.length() <= MAX_CHARS ? text : text.substring(0, MAX_CHARS);
    }

    /** A comment saying its infrastructure gets nothing applied on merge ({@link #nothingToApply}). */
    public static boolean nothingToApply(String body) {
        return body.contains(NOTHING_TO_APPLY);
    }

    /** The one-line summary the commit status carries (GitHub: at most 140 characters). */
    public static String statusLine(Run run, UnaryOperator<String> redact) {
        if (run.status() != RunStatus.SUCCEEDED) {
            var failed = run.stages().values().stream().filter(s -> s.status() == StageStatus.FAILED).findFirst();
            var error = failed.map(s -> "`" + s.stage() + "`: " + firstLine(s.error())).orElse(firstLine(run.error()));
            return redact.apply("preview failed: " + error).replace("`", "");
        }
        return counts(run);
    }

    /**
     * A finished preview in one line: {@code +3 ~1 -0 in 4 stages · 1 inexact · 1 deferred until
     * upstream applies} (the stages with changes; "no changes" when none), then how many stages'
     * plans are inexact ({@link #inexact}) and how many could not be planned yet (deferred).
     */
    static String counts(Run run) {
        int add = 0, change = 0, destroy = 0, changed = 0, inexact = 0, deferred = 0;
        for (var stage : run.stages().values()) {
            if (stage.status() == StageStatus.DEFERRED) deferred++;
            if (!inexact(stage).isEmpty()) inexact++;
            if (stage.plan() == null) continue;
            add += stage.plan().add();
            change += stage.plan().change();
            destroy += stage.plan().destroy();
            if (stage.plan().hasChanges()) changed++;
        }
        var text = changed == 0 ? "no changes" : "+" + add + " ~" + change + " -" + destroy + " in " + changed + " stage" + (changed == 1 ? "" : "s");
        if (inexact > 0) text += " · " + inexact + " inexact";
        if (deferred > 0) text += " · " + deferred + " deferred until upstream applies";
        return text;
    }

    /** What the preview found; a failure names the first failed stage and its first error line (else the run's). */
    private static String verdict(Run run, UnaryOperator<String> redact, boolean approval) {
        if (run.status() == RunStatus.SUCCEEDED) {
            boolean changes = run.stages().values().stream().anyMatch(s -> s.plan() != null && s.plan().hasChanges());
            var counts = counts(run);
            if (!changes) return counts.equals("no changes") ? "**No changes.**" : "**No changes**" + counts.substring("no changes".length()) + ".";
            return "**Plan has changes:** " + counts + ". " + (approval
                    ? "Merging asks for approval in Slack before they are applied (the policy needs approval)." : "Merging applies them.");
        }
        var failed = run.stages().values().stream().filter(s -> s.status() == StageStatus.FAILED).findFirst();
        var what = run.status() == RunStatus.CANCELLED ? "was cancelled" : "failed";
        if (failed.isPresent()) {
            return "**The preview failed** at `" + failed.get().stage() + "`: " + redact.apply(firstLine(failed.get().error()));
        }
        return "**The preview " + what + ":** " + redact.apply(firstLine(run.error()));
    }

    private static String cell(Run run, StageResult stage, UnaryOperator<String> redact) {
        return (stage.status() == StageStatus.DEFERRED ? deferred(run, stage) : plan(stage, redact)) + inexact(stage);
    }

    /**
     * Why a stage is deferred: an input it reads is known only after an upstream stage applies
     * (no stored value yet). The run does not record which input, so this names what it does show:
     * the stages before it whose plans have outputs known only after apply, and those deferred too.
     */
    static String deferred(Run run, StageResult stage) {
        var before = new java.util.ArrayList<String>();
        if (run.waves() != null && !run.waves().isEmpty()) {
            for (var wave : run.waves()) {
                if (wave.contains(stage.stage())) break;
                before.addAll(wave);
            }
        } else {
            for (var name : run.stages().keySet()) {
                if (name.equals(stage.stage())) break;
                before.add(name);
            }
        }
        var unknown = new StringBuilder();
        var deferred = new StringBuilder();
        for (var name : before) {
            var upstream = run.stage(name);
            if (upstream == null) continue;
            if (upstream.status() == StageStatus.DEFERRED) {
                deferred.append(deferred.isEmpty() ? "" : ", ").append('`').append(escape(name)).append('`');
            } else if (upstream.plan() != null && !upstream.plan().unknownOutputs().isEmpty()) {
                unknown.append(unknown.isEmpty() ? "" : ", ").append('`').append(escape(name)).append('`');
            }
        }
        var seen = new java.util.ArrayList<String>();
        if (!unknown.isEmpty()) seen.add(unknown + (unknown.indexOf(",") < 0 ? " has" : " have") + " outputs known only after apply");
        if (!deferred.isEmpty()) seen.add(deferred + (deferred.indexOf(",") < 0 ? " is" : " are") + " deferred too");
        return "deferred: reads an input known only after an upstream stage applies"
                + (seen.isEmpty() ? "" : " (before it in this run: " + String.join("; ", seen) + ")");
    }

    /** " · inexact: depends on changes in `network`" when an upstream plan of the run changes an output the stage reads. */
    static String inexact(StageResult stage) {
        if (stage.inexactBecause() == null || stage.status() == StageStatus.FAILED || stage.status() == StageStatus.SKIPPED) return "";
        var names = new StringBuilder();
        for (var upstream : stage.inexactBecause()) names.append(names.isEmpty() ? "" : ", ").append('`').append(escape(upstream)).append('`');
        return " · inexact: depends on changes in " + names;
    }

    private static String plan(StageResult stage, UnaryOperator<String> redact) {
        return switch (stage.status()) {
            case FAILED -> "failed: " + escape(redact.apply(firstLine(stage.error())));
            case SKIPPED -> "skipped" + (stage.error() == null ? "" : ": " + escape(redact.apply(firstLine(stage.error()).replaceFirst("^skipped:\\s*", ""))));
            default -> {
                var plan = stage.plan();
                if (plan == null) yield stage.status().name().toLowerCase(Locale.ROOT).replace('_', ' ');
                if (!plan.hasChanges()) yield "no changes";
                yield "`+" + plan.add() + " ~" + plan.change() + " -" + plan.destroy() + "`"
                        + (plan.outputChanges().isEmpty() ? "" : " · outputs: " + escape(redact.apply(outputs(plan))));
            }
        };
    }

    /** The names of the outputs a plan changes, each whose new value is known only after apply marked so (names only, never values). */
    static String outputs(PlanSummary plan) {
        var names = new StringBuilder();
        for (var name : plan.outputChanges()) {
            names.append(names.isEmpty() ? "" : ", ").append(name).append(plan.knownAfterApply(name) ? " (known after apply)" : "");
        }
        return names.toString();
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

    // ---- after the merge: the merged note and the applied result (a section of its own, below the marker) ----

    static final String MERGE_OPEN = "<!-- cairn:merge -->";
    static final String MERGE_CLOSE = "<!-- /cairn:merge -->";
    static final String APPLIED = "<!-- cairn:applied -->";
    private static final String PLANS = "<!-- cairn:plans ";

    /** The infrastructure a preview comment is for, from its marker, or null. */
    public static String infrastructureOf(String body) {
        var prefix = "<!-- cairn:preview:";
        int at = body.indexOf(prefix);
        if (at < 0) return null;
        int end = body.indexOf(" -->", at);
        return end < 0 ? null : body.substring(at + prefix.length(), end);
    }

    /** The per-stage summary of a run, machine-readable: {@code stage=+1~0-2} per planned stage, else {@code stage=STATUS}. */
    public static java.util.Map<String, String> stagePlans(Run run) {
        var plans = new java.util.LinkedHashMap<String, String>();
        for (var stage : run.stages().values()) {
            var plan = stage.plan();
            plans.put(stage.stage(), stage.status() == StageStatus.FAILED ? "failed" : plan == null
                    ? stage.status().name().toLowerCase(Locale.ROOT) : "+" + plan.add() + "~" + plan.change() + "-" + plan.destroy());
        }
        return plans;
    }

    /** The hidden line that keeps the preview's per-stage summary in the comment, to compare the applied plan with. */
    static String planMark(Run run) {
        return PLANS + encodePlans(stagePlans(run)) + " -->";
    }

    /** The preview's per-stage summary a comment keeps (empty: none, an older comment). */
    public static java.util.Map<String, String> previewPlans(String body) {
        int at = body.indexOf(PLANS);
        if (at < 0) return java.util.Map.of();
        int end = body.indexOf(" -->", at);
        return end < 0 ? java.util.Map.of() : decodePlans(body.substring(at + PLANS.length(), end));
    }

    static String encodePlans(java.util.Map<String, String> plans) {
        var out = new StringBuilder();
        plans.forEach((stage, plan) -> out.append(out.isEmpty() ? "" : ";").append(stage).append('=').append(plan));
        return out.toString();
    }

    static java.util.Map<String, String> decodePlans(String text) {
        var plans = new java.util.LinkedHashMap<String, String>();
        for (var pair : text.split(";")) {
            int eq = pair.indexOf('=');
            if (eq > 0) plans.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return plans;
    }

    /** The outcome of an apply run, machine-readable (no free text, so nothing secret): {@code STATUS|RUN_ID|plans}. */
    public static String outcome(Run run) {
        return outcome(run, java.util.Optional.empty());
    }

    /** {@link #outcome(Run)} with the page of the run's full log, shown with the result ({@link RunLinks}). */
    public static String outcome(Run run, java.util.Optional<String> log) {
        return run.status().name() + "|" + run.id() + "|" + encodePlans(stagePlans(run)) + log.map(l -> "|" + l).orElse("");
    }

    /**
     * The comment once its PR was merged: "merged: applying in run R". A stale comment stays stale,
     * and one already showing the applied result keeps it.
     */
    public static String merged(String body, String pullRequest, String mergeCommit, String execution) {
        if (body.contains("**Stale:**") || body.contains(APPLIED) || nothingToApply(body)) return body;
        return withMergeSection(body, "> [!NOTE]\n> **Merged:** " + pullRequest + " was merged as `" + shortCommit(mergeCommit)
                + "`: applying in run `" + execution + "`.\n");
    }

    /**
     * The comment once the merge commit's apply run finished: succeeded or failed, the per-stage
     * summary, and plainly which stages' applied plans differ from this preview's.
     */
    public static String applied(String body, String pullRequest, String mergeCommit, String outcome) {
        if (body.contains("**Stale:**")) return body;
        var parts = outcome.split("\\|", 4);
        var status = parts[0];
        var runId = parts.length > 1 ? parts[1] : "?";
        var applied = parts.length > 2 ? decodePlans(parts[2]) : java.util.Map.<String, String>of();
        var log = parts.length > 3 ? parts[3] : null;
        var preview = previewPlans(body);
        var text = new StringBuilder(APPLIED).append('\n');
        boolean ok = status.equals(RunStatus.SUCCEEDED.name());
        text.append(ok ? "> [!NOTE]\n" : "> [!CAUTION]\n");
        text.append("> **Merged and ").append(ok ? "applied" : "the apply failed").append(":** ").append(pullRequest)
                .append(" was merged as `").append(shortCommit(mergeCommit)).append("`; run `").append(runId).append("` ")
                .append(ok ? "succeeded" : status.toLowerCase(Locale.ROOT)).append(log == null ? "" : " ([full log](" + linkTarget(log) + "))")
                .append(".\n>\n");
        text.append("> | stage | applied |\n> |---|---|\n");
        applied.forEach((stage, plan) -> text.append("> | `").append(stage).append("` | ").append(plan).append(" |\n"));
        if (!preview.isEmpty()) {
            var differing = new java.util.TreeSet<String>();
            applied.forEach((stage, plan) -> {
                if (!plan.equals(preview.get(stage))) differing.add(stage);
            });
            preview.keySet().forEach(stage -> {
                if (!applied.containsKey(stage)) differing.add(stage);
            });
            text.append(">\n> ").append(differing.isEmpty() ? "The applied plan matched this preview."
                    : "**The applied plan differed from this preview** in " + String.join(", ", differing.stream().map(s -> "`" + s + "`").toList())
                    + " (preview: " + String.join(", ", differing.stream().map(s -> s + " " + preview.getOrDefault(s, "not previewed")).toList())
                    + "; applied: " + String.join(", ", differing.stream().map(s -> s + " " + applied.getOrDefault(s, "not applied")).toList()) + ").").append('\n');
        }
        return withMergeSection(body, text.toString());
    }

    private static String withMergeSection(String body, String section) {
        var block = MERGE_OPEN + "\n" + section + MERGE_CLOSE + "\n";
        int open = body.indexOf(MERGE_OPEN);
        String text;
        if (open >= 0) {
            int close = body.indexOf(MERGE_CLOSE, open);
            int after = close < 0 ? body.length() : close + MERGE_CLOSE.length();
            if (after < body.length() && body.charAt(after) == '\n') after++;
            text = body.substring(0, open) + block + body.substring(after);
        } else {
            int end = body.indexOf('\n');
            text = end < 0 ? body + "\n" + block : body.substring(0, end + 1) + block + body.substring(end + 1);
        }
        return text.length() <= MAX_CHARS ? text : text.substring(0, MAX_CHARS);
    }
}
