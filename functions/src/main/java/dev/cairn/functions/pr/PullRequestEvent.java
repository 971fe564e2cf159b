package dev.cairn.functions.pr;

import java.util.List;

/**
 * A pull request (GitHub) or merge request (GitLab) event, from either forge, reduced to what the
 * preview flow needs. Only the handled actions become an event; the others are answered 202 by
 * {@link PullRequestPayloads}.
 *
 * @param source      {@code github} or {@code gitlab}
 * @param deliveryId  the sender's delivery id
 * @param kind        what happened, in Cairn's terms
 * @param action      the forge's own action name ({@code synchronize}, {@code update}), for people
 * @param number      the PR number (GitLab: the MR's {@code iid})
 * @param repository  the base repository's full name ({@code acme/infra})
 * @param cloneUrls   every URL the payload gives for the base repository; the first is the HTTP clone URL
 * @param baseBranch  the branch the PR targets ({@code main})
 * @param baseSha     the base branch's commit the forge reports
 * @param headSha     the PR's head commit
 * @param headRef     the ref of the base repository that holds the head ({@code refs/pull/N/head},
 *                    {@code refs/merge-requests/N/head}): it exists for forks too
 * @param fromFork    the head lives in another repository (or its repository is gone)
 * @param headRepository the head's repository, for people ({@code someone/infra}), or {@code (deleted)}
 * @param actor       who acted, {@code github:octocat}
 * @param previousHead the head before this new one (GitHub {@code before} of a {@code synchronize},
 *                     GitLab {@code oldrev} of an {@code update}), or null: its preview is superseded
 * @param mergeCommit the merge commit of a {@link Kind#MERGED} event ({@code merge_commit_sha}), or null
 */
public record PullRequestEvent(String source, String deliveryId, Kind kind, String action, long number,
                               String repository, List<String> cloneUrls, String baseBranch, String baseSha,
                               String headSha, String headRef, boolean fromFork, String headRepository, String actor,
                               String previousHead, String mergeCommit) {

    public enum Kind {
        /** opened, reopened, or a new head: preview it */
        PREVIEW,
        /** merged: the push of the merge commit reconciles; nothing to preview */
        MERGED,
        /** closed without merge: the preview is stale */
        CLOSED
    }

    public String cloneUrl() {
        return cloneUrls.getFirst();
    }

    /** {@code acme/infra#7} on GitHub, {@code acme/infra!7} on GitLab. */
    public String label() {
        return repository + (source.equals("gitlab") ? "!" : "#") + number;
    }
}
