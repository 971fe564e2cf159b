package dev.cairn.reconciler.preview;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Plan previews of pull/merge requests: plan-only runs ({@code RunAction.PLAN}) of a PR's head
 * that never take the infrastructure's apply lock, never apply and never write Terraform state or
 * outputs. A run is a preview when its trigger says so: {@code SOURCE:preview LABEL base COMMIT}
 * ({@code github:preview acme/infra#7 base 6113728...}), which the webhook writes and the run record
 * keeps, with the head commit as the run's revision.
 *
 * <p>A preview plans what merging would apply: the head merged into the base branch's tip, as
 * {@code refs/pull/N/merge} would be (Atlantis' merge checkout strategy). Its trigger names that tip
 * ({@code ... base MERGE_BASE onto main@TIP}); Prepare merges the two in memory and plans the result,
 * so a branch that is behind its base does not show the revert of the base's later changes. When the
 * tip is the merge base (the branch is up to date), the result is the head's own tree.
 */
public final class Previews {
    /** The run's kind, as its trigger names it. */
    public static final String KIND = "preview";
    /** The {@code cairn stage} step of a preview: {@code terraform plan -lock=false}, no saved plan, no state, no outputs kept. */
    public static final String STEP = "preview";
    /** How a preview cancelled for a newer head of its PR says so (the cancel's cause, kept in the run's error). */
    public static final String SUPERSEDED = "superseded by head ";
    private static final Pattern TRIGGER = Pattern.compile("[a-z]+:" + KIND + " (\\S+) base ([0-9a-f]{40,64})(?: onto (\\S+)@([0-9a-f]{40,64}))?");

    private Previews() {
    }

    /** @param label {@code acme/infra#7} (GitHub) or {@code acme/infra!7} (GitLab) */
    public static String trigger(String source, String label, String mergeBase) {
        return source + ":" + KIND + " " + label + " base " + mergeBase;
    }

    /**
     * A preview of the head merged into {@code baseBranch} at {@code baseTip}.
     *
     * @param mergeBase what the PR's changes are counted from (the merge base of base and head)
     */
    public static String trigger(String source, String label, String mergeBase, String baseBranch, String baseTip) {
        if (baseBranch.isBlank() || baseBranch.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("not a branch name: '" + baseBranch + "'");
        }
        return trigger(source, label, mergeBase) + " onto " + baseBranch + "@" + baseTip;
    }

    /** The base branch and its tip a preview is planned merged into. */
    public record Onto(String branch, String commit) {
        public String ref() {
            return "refs/heads/" + branch;
        }
    }

    /** What a preview's trigger plans the head merged into; empty for another run, or a preview of the head alone. */
    public static java.util.Optional<Onto> onto(String trigger) {
        if (trigger == null) return java.util.Optional.empty();
        var m = TRIGGER.matcher(trigger);
        return m.matches() && m.group(3) != null ? java.util.Optional.of(new Onto(m.group(3), m.group(4))) : java.util.Optional.empty();
    }

    /** How many of an infrastructure's newest runs are read to find its last run that is not a preview. */
    public static final int RECENT_RUNS = 50;

    /** A PR's plan preview changes nothing: the infrastructure's last run is its newest other run ({@code newestFirst}, as the run store lists them). */
    public static java.util.Optional<dev.cairn.reconciler.run.Run> lastRun(java.util.List<dev.cairn.reconciler.run.Run> newestFirst) {
        return newestFirst.stream().filter(r -> !isPreview(r.trigger())).findFirst();
    }

    /** The newest preview when it is newer than every other run (shown beside the last run), else empty. */
    public static java.util.Optional<dev.cairn.reconciler.run.Run> newerPreview(java.util.List<dev.cairn.reconciler.run.Run> newestFirst) {
        return newestFirst.stream().takeWhile(r -> isPreview(r.trigger())).findFirst();
    }

    public static boolean isPreview(String trigger) {
        return trigger != null && TRIGGER.matcher(trigger).matches();
    }

    /** The PR a preview's trigger names ({@code acme/infra#7}), or null for another run. */
    public static String pullRequest(String trigger) {
        if (trigger == null) return null;
        var m = TRIGGER.matcher(trigger);
        return m.matches() ? m.group(1) : null;
    }

    /** The merge base a preview's trigger names, or null for another run. */
    public static String mergeBase(String trigger) {
        if (trigger == null) return null;
        var m = TRIGGER.matcher(trigger);
        return m.matches() ? m.group(2) : null;
    }

    /**
     * The lease a preview execution holds instead of the infrastructure's lock: a lock-store entry
     * of its own ({@code INFRA~preview-KEY}, KEY being {@link #executionKey} of the execution), so
     * that NextStages and Finish find the run by its execution or its id (as they do through the
     * lock for other runs) while applies and other previews never wait on it.
     */
    public static String lease(String infrastructure, String executionKey) {
        return infrastructure + "~preview-" + executionKey;
    }

    /** A preview's run id: {@code TIME-pKEY}. */
    public static String runId(String time, String executionArn) {
        return time + "-p" + executionKey(executionArn);
    }

    /** The lease of a preview run, from its id ({@link #runId}). */
    public static String leaseOfRun(String infrastructure, String runId) {
        var at = runId.lastIndexOf("-p");
        if (at < 0) throw new IllegalArgumentException("not a preview run id: " + runId);
        return lease(infrastructure, runId.substring(at + 2));
    }

    /** 16 hex digits of the execution ARN's SHA-256. */
    public static String executionKey(String executionArn) {
        try {
            var digest = MessageDigest.getInstance("SHA-256").digest(executionArn.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
