package dev.cairn.functions;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A push, from either forge, reduced to what the push flow needs.
 *
 * @param source     {@code github} or {@code gitlab}
 * @param deliveryId the sender's delivery id ({@code X-GitHub-Delivery}, {@code X-Gitlab-Event-UUID})
 * @param ref        the full ref pushed, {@code refs/heads/main}
 * @param before     the commit the ref was at, all zeros for a new ref
 * @param after      the commit it is at now, all zeros for a deleted ref
 * @param repository the repository's full name, for people ({@code acme/infra})
 * @param cloneUrls  every URL the payload gives for the repository; the first is the HTTP clone URL
 * @param actor      who pushed, {@code github:octocat}
 */
public record PushEvent(String source, String deliveryId, String ref, String before, String after,
                        String repository, List<String> cloneUrls, String actor) {
    private static final Pattern ZEROS = Pattern.compile("0+");
    public static final String BRANCH_PREFIX = "refs/heads/";

    public boolean isBranch() {
        return ref.startsWith(BRANCH_PREFIX);
    }

    public String branch() {
        return isBranch() ? ref.substring(BRANCH_PREFIX.length()) : null;
    }

    public boolean deletesRef() {
        return ZEROS.matcher(after).matches();
    }

    public boolean createsRef() {
        return ZEROS.matcher(before).matches();
    }

    public String cloneUrl() {
        return cloneUrls.getFirst();
    }
}
