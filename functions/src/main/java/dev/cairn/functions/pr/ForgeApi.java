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

    /** Every comment on PR/MR {@code number} whose body contains {@code marker}, oldest first. */
    List<Comment> findComments(String repository, long number, String marker) throws IOException, InterruptedException;

    Comment createComment(String repository, long number, String body) throws IOException, InterruptedException;

    void updateComment(String repository, long number, long commentId, String body) throws IOException, InterruptedException;

    void setStatus(String repository, String commit, State state, String context, String description) throws IOException, InterruptedException;

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
