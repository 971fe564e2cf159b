package dev.cairn.functions.pr;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a preview tells a pull/merge request, whichever forge: comments (GitHub issue comments,
 * GitLab MR notes) found by a hidden marker and edited in place, and commit statuses.
 */
public interface ForgeApi {
    /** A comment: its id and body. */
    record Comment(long id, String body) {
    }

    /** The commit status states, in Cairn's words; each forge spells them its way. */
    enum State { PENDING, SUCCESS, FAILURE }

    /**
     * A pull/merge request as its forge reports it now, reduced to what starting its preview needs.
     *
     * @param state          {@code open}, {@code closed} or {@code merged}
     * @param headSha        its head commit
     * @param headBranch     the head's branch name, in its own repository
     * @param headRepository the head's repository ({@code someone/infra}), or {@code (deleted)} / {@code project 42}
     * @param fromFork       the head lives in another repository (or its repository is gone)
     * @param baseBranch     the branch it targets
     * @param baseSha        the base branch commit the forge reports, or null (GitLab reports none)
     * @param webUrl         its page, for people, or null
     */
    record PullRequest(long number, String state, String headSha, String headBranch, String headRepository, boolean fromFork,
                       String baseBranch, String baseSha, String webUrl) {
        public boolean open() {
            return state.equals("open");
        }
    }

    /**
     * PR/MR {@code number} of {@code repository} (GitHub {@code GET /repos/O/N/pulls/N}, GitLab
     * {@code GET /projects/P/merge_requests/IID}), or empty when there is no such PR/MR.
     */
    default Optional<PullRequest> pullRequest(String repository, long number) throws IOException, InterruptedException {
        throw new IOException(getClass().getSimpleName() + " cannot read pull requests");
    }

    /** Every comment on PR/MR {@code number} whose body contains {@code marker}, oldest first. */
    List<Comment> findComments(String repository, long number, String marker) throws IOException, InterruptedException;

    Comment createComment(String repository, long number, String body) throws IOException, InterruptedException;

    void updateComment(String repository, long number, long commentId, String body) throws IOException, InterruptedException;

    default void setStatus(String repository, String commit, State state, String context, String description) throws IOException, InterruptedException {
        setStatus(repository, commit, state, context, description, Optional.empty());
    }

    /**
     * Sets the commit status {@code context} of {@code commit}; {@code targetUrl} the page the
     * forge's "Details" link opens (the run's log, {@link RunLinks}), or empty for none.
     */
    void setStatus(String repository, String commit, State state, String context, String description, Optional<String> targetUrl)
            throws IOException, InterruptedException;

    /** Creates the comment holding {@code marker}, or edits the first one in place; true when created. */
    default Map.Entry<Comment, Boolean> upsertComment(String repository, long number, String marker, String body)
            throws IOException, InterruptedException {
        Optional<Comment> existing = findComments(repository, number, marker).stream().findFirst();
        if (existing.isPresent()) {
            updateComment(repository, number, existing.get().id(), body);
            return Map.entry(new Comment(existing.get().id(), body), false);
        }
        return Map.entry(createComment(repository, number, body), true);
    }
}
