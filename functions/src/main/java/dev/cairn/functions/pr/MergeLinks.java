package dev.cairn.functions.pr;

import dev.cairn.reconciler.launch.ExecutionNames;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.store.ThreadStore;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The durable link between a merged PR's preview comment and the apply run of its merge commit,
 * kept in the {@link ThreadStore} (local files, or the DynamoDB table) under two key prefixes of
 * the infrastructure's entries, each written once (the first write wins, so redeliveries change
 * nothing):
 * <ul>
 *   <li>{@code merge-COMMIT}: the comment — {@code channel} holds {@code SOURCE\nREPOSITORY\nNUMBER},
 *       {@code ts} the comment id. Written by the PR-merged webhook.</li>
 *   <li>{@code applied-COMMIT}: the apply run's outcome ({@link PreviewComment#outcome}: status, run
 *       id, per-stage counts; no free text) in {@code ts}. Written when the run finishes.</li>
 * </ul>
 * Each side writes its half first and then reads the other's, so whichever of the two webhooks
 * (push, PR merged) or the run's end comes first, the last one to arrive edits the comment with
 * the result.
 */
public final class MergeLinks {
    static final Duration KEEP = Duration.ofDays(30);

    /** A merged PR's comment for one infrastructure. */
    public record Link(String source, String repository, long number, long commentId) {
    }

    private final ThreadStore store;

    public MergeLinks(ThreadStore store) {
        this.store = store;
    }

    /** The execution name the push of {@code mergeCommit} starts for {@code infrastructure} (as {@code PushFlow} names it). */
    public static String applyRun(String infrastructure, String mergeCommit) {
        return ExecutionNames.of(infrastructure, RunAction.APPLY, mergeCommit, "push");
    }

    public void link(String infrastructure, String mergeCommit, Link link, Instant now) {
        store.create(new ThreadStore.RunThread(infrastructure, "merge-" + mergeCommit,
                link.source() + "\n" + link.repository() + "\n" + link.number(), String.valueOf(link.commentId()), -1, now, now.plus(KEEP)));
    }

    public Optional<Link> link(String infrastructure, String mergeCommit) {
        return store.get(infrastructure, "merge-" + mergeCommit).flatMap(t -> {
            var parts = t.channel().split("\n", 3);
            if (parts.length != 3) return Optional.empty();
            try {
                return Optional.of(new Link(parts[0], parts[1], Long.parseLong(parts[2]), Long.parseLong(t.ts())));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    public void applied(String infrastructure, String commit, String outcome, Instant now) {
        store.create(new ThreadStore.RunThread(infrastructure, "applied-" + commit, "applied", outcome, -1, now, now.plus(KEEP)));
    }

    public Optional<String> applied(String infrastructure, String commit) {
        return store.get(infrastructure, "applied-" + commit).map(ThreadStore.RunThread::ts);
    }
}
