package dev.cairn.reconciler.launch;

import dev.cairn.reconciler.run.RunAction;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Deterministic run names, valid as Step Functions execution names (1–80 characters of
 * {@code [A-Za-z0-9_-]}). The name comes from signed content — infrastructure, action, commit and
 * a discriminator — never from a delivery id, so a replayed or retried delivery maps to the run
 * it already started.
 */
public final class ExecutionNames {
    public static final int MAX_LENGTH = 80;

    private ExecutionNames() {
    }

    /**
     * @param discriminator what makes two runs of one commit different ({@code push}, a Slack
     *                      request id); part of the hash, not shown
     */
    public static String of(String infrastructure, RunAction action, String commit, String discriminator) {
        return of(infrastructure, action, commit, discriminator, java.util.List.of());
    }

    /**
     * The name of a run limited to {@code stages} ({@code --stage}): the stage set (in any order) is
     * part of the hash, so runs of one commit over different stages get different names; an empty
     * set is every stage, named as {@link #of(String, RunAction, String, String)} names it.
     */
    public static String of(String infrastructure, RunAction action, String commit, String discriminator, java.util.Collection<String> stages) {
        var limited = stages == null || stages.isEmpty() ? "" : "\nstages:" + String.join(",", new java.util.TreeSet<>(stages));
        var hash = sha256(infrastructure + "\n" + action + "\n" + commit + "\n" + discriminator + limited).substring(0, 12);
        var shortCommit = commit.length() > 12 ? commit.substring(0, 12) : commit;
        var readable = safe(infrastructure) + "-" + action.name().toLowerCase(Locale.ROOT) + "-" + safe(shortCommit);
        var budget = MAX_LENGTH - hash.length() - 1;
        if (readable.length() > budget) readable = readable.substring(0, budget);
        return readable + "-" + hash;
    }

    private static String safe(String text) {
        return text.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
