package dev.cairn.functions.pr;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.functions.PushPayloads;
import dev.cairn.functions.PushPayloads.BadPayloadException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads GitHub {@code pull_request} and GitLab {@code Merge Request Hook} payloads defensively,
 * after the signature was checked. A handled action becomes a {@link PullRequestEvent}; another
 * action is {@link Optional#empty()} with the reason in {@link Parsed#ignored()}; a missing or
 * malformed field is a {@link BadPayloadException} naming it (answered 400).
 */
public final class PullRequestPayloads {
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern BRANCH = Pattern.compile("[^\\x00-\\x20~^:?*\\[\\\\]{1,255}");
    public static final Set<String> GITHUB_ACTIONS = Set.of("opened", "reopened", "synchronize", "closed");
    public static final Set<String> GITLAB_ACTIONS = Set.of("open", "reopen", "update", "merge", "close");

    private PullRequestPayloads() {
    }

    /** A handled event, or the reason it is not handled. */
    public record Parsed(Optional<PullRequestEvent> event, String ignored) {
        static Parsed ignored(String reason) {
            return new Parsed(Optional.empty(), reason);
        }
    }

    public static Parsed github(String deliveryId, byte[] body) {
        var root = PushPayloads.parse(body);
        var action = text(root, "action");
        if (!GITHUB_ACTIONS.contains(action)) {
            return Parsed.ignored("GitHub pull_request action '" + printable(action) + "' is not handled (only "
                    + String.join(", ", new java.util.TreeSet<>(GITHUB_ACTIONS)) + ")");
        }
        var pr = object(root, "pull_request");
        var number = number(pr, "pull_request.number");
        var base = object(pr, "base");
        var head = object(pr, "head");
        var repo = object(root, "repository");
        var fullName = text(repo, "repository.full_name");
        var headRepo = head.get("repo");
        String headRepository = headRepo != null && headRepo.isObject() && headRepo.path("full_name").isTextual()
                ? headRepo.path("full_name").asText() : "(deleted)";
        var fromFork = !headRepository.equals(fullName);
        var kind = switch (action) {
            case "closed" -> pr.path("merged").asBoolean(false) ? PullRequestEvent.Kind.MERGED : PullRequestEvent.Kind.CLOSED;
            default -> PullRequestEvent.Kind.PREVIEW;
        };
        var sender = root.path("sender").path("login").asText("unknown");
        return new Parsed(Optional.of(new PullRequestEvent("github", deliveryId, kind, action, number, fullName,
                urls(repo, "clone_url", "html_url"), branch(base, "pull_request.base.ref"),
                commit(base, "pull_request.base.sha"), commit(head, "pull_request.head.sha"),
                "refs/pull/" + number + "/head", fromFork, headRepository, "github:" + sender,
                action.equals("synchronize") ? optionalCommit(root, "before") : null,
                kind == PullRequestEvent.Kind.MERGED ? optionalCommit(pr, "merge_commit_sha") : null)), null);
    }

    public static Parsed gitlab(String deliveryId, byte[] body) {
        var root = PushPayloads.parse(body);
        var attributes = object(root, "object_attributes");
        var action = attributes.path("action").asText("");
        if (!GITLAB_ACTIONS.contains(action)) {
            return Parsed.ignored("GitLab merge request action '" + printable(action) + "' is not handled (only "
                    + String.join(", ", new java.util.TreeSet<>(GITLAB_ACTIONS)) + ")");
        }
        if (action.equals("update") && !attributes.path("oldrev").isTextual()) {
            // GitLab sends update for a title, label or description edit too; only a new head (oldrev set) is previewed
            return Parsed.ignored("GitLab merge request update without new commits (no oldrev): nothing to preview");
        }
        var project = object(root, "project");
        var iid = number(attributes, "object_attributes.iid");
        var target = object(attributes, "target");
        var source = object(attributes, "source");
        var fullName = text(project, "project.path_with_namespace");
        var fromFork = attributes.path("source_project_id").asLong(-1) != attributes.path("target_project_id").asLong(-2);
        var headRepository = source.path("path_with_namespace").asText("(unknown)");
        var kind = switch (action) {
            case "merge" -> PullRequestEvent.Kind.MERGED;
            case "close" -> PullRequestEvent.Kind.CLOSED;
            default -> PullRequestEvent.Kind.PREVIEW;
        };
        var lastCommit = object(attributes, "last_commit");
        // GitLab's hook carries no base commit: the target branch's tip is fetched instead (baseSha null)
        var user = root.path("user").path("username").asText("unknown");
        return new Parsed(Optional.of(new PullRequestEvent("gitlab", deliveryId, kind, action, iid, fullName,
                urls(target.isObject() && target.has("git_http_url") ? target : project, "git_http_url", "web_url"),
                branch(attributes, "object_attributes.target_branch"), null,
                commit(lastCommit, "object_attributes.last_commit.id"),
                "refs/merge-requests/" + iid + "/head", fromFork, headRepository, "gitlab:" + user,
                action.equals("update") ? optionalCommit(attributes, "oldrev") : null,
                kind == PullRequestEvent.Kind.MERGED ? optionalCommit(attributes, "merge_commit_sha") : null)), null);
    }

    /** A commit id the payload may carry; null when absent or not a commit id. */
    private static String optionalCommit(JsonNode node, String field) {
        var value = node.path(field).asText("");
        return COMMIT.matcher(value).matches() ? value : null;
    }

    private static long number(JsonNode node, String path) {
        var value = node.get(path.substring(path.lastIndexOf('.') + 1));
        if (value == null || !value.canConvertToLong() || value.asLong() < 1) throw new BadPayloadException("field " + path + " is missing or not a positive number");
        return value.asLong();
    }

    private static String branch(JsonNode node, String path) {
        var value = text(node, path);
        if (!BRANCH.matcher(value).matches() || value.startsWith("refs/")) throw new BadPayloadException("field " + path + " is not a branch name");
        return value;
    }

    private static String commit(JsonNode node, String path) {
        var value = text(node, path);
        if (!COMMIT.matcher(value).matches()) throw new BadPayloadException("field " + path + " is not a full commit id");
        return value;
    }

    private static JsonNode object(JsonNode root, String field) {
        var node = root.get(field);
        if (node == null || !node.isObject()) throw new BadPayloadException("field " + field + " is missing or not an object");
        return node;
    }

    private static String text(JsonNode node, String path) {
        var value = node.get(path.substring(path.lastIndexOf('.') + 1));
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new BadPayloadException("field " + path + " is missing or not a string");
        }
        return value.asText();
    }

    private static List<String> urls(JsonNode node, String first, String... others) {
        var urls = new ArrayList<String>();
        urls.add(text(node, first));
        for (var name : others) {
            var value = node.get(name);
            if (value != null && value.isTextual() && !value.asText().isBlank()) urls.add(value.asText());
        }
        return urls;
    }

    private static String printable(String value) {
        return value.length() <= 40 && value.matches("[A-Za-z0-9_ -]*") ? value : "(unprintable)";
    }
}
