package dev.cairn.functions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads GitHub {@code push} and GitLab {@code Push Hook} payloads defensively, after the signature
 * was checked: anything missing or malformed becomes a {@link BadPayloadException} naming the field
 * (answered 400), never a stack trace.
 */
public final class PushPayloads {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    private PushPayloads() {
    }

    /** The payload is not JSON, or lacks a field a push must have. The message names it, never echoes the body. */
    public static final class BadPayloadException extends RuntimeException {
        public BadPayloadException(String message) {
            super(message);
        }
    }

    public static PushEvent github(String deliveryId, byte[] body) {
        var root = parse(body);
        var repo = object(root, "repository");
        var urls = urls(repo, "clone_url", "html_url", "ssh_url", "git_url");
        var pusher = root.path("pusher").path("name").asText("");
        if (pusher.isEmpty()) pusher = root.path("sender").path("login").asText("unknown");
        return new PushEvent("github", deliveryId, ref(root), commit(root, "before"), commit(root, "after"),
                text(repo, "repository.full_name"), urls, "github:" + pusher);
    }

    public static PushEvent gitlab(String deliveryId, byte[] body) {
        var root = parse(body);
        var project = object(root, "project");
        var urls = urls(project, "git_http_url", "web_url", "git_ssh_url");
        var user = root.path("user_username").asText("");
        if (user.isEmpty()) user = root.path("user_name").asText("unknown");
        return new PushEvent("gitlab", deliveryId, ref(root), commit(root, "before"), commit(root, "after"),
                text(project, "project.path_with_namespace"), urls, "gitlab:" + user);
    }

    /** Parses any JSON body (for events that are only acknowledged, such as ping), or fails with 400. */
    public static JsonNode parse(byte[] body) {
        try {
            var root = JSON.readTree(body);
            if (root == null || !root.isObject()) throw new BadPayloadException("the payload is not a JSON object");
            return root;
        } catch (JsonProcessingException e) {
            var at = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new BadPayloadException("the payload is not valid JSON" + at);
        } catch (java.io.IOException e) {
            throw new BadPayloadException("the payload cannot be read");
        }
    }

    private static String ref(JsonNode root) {
        var ref = text(root, "ref");
        if (!ref.startsWith("refs/") || ref.length() > 1024) throw new BadPayloadException("field ref is not a full git ref (refs/heads/NAME)");
        return ref;
    }

    private static String commit(JsonNode root, String field) {
        var value = text(root, field);
        if (!COMMIT.matcher(value).matches()) throw new BadPayloadException("field " + field + " is not a full commit id");
        return value;
    }

    private static JsonNode object(JsonNode root, String field) {
        var node = root.get(field);
        if (node == null || !node.isObject()) throw new BadPayloadException("field " + field + " is missing or not an object");
        return node;
    }

    private static String text(JsonNode node, String path) {
        var field = path.substring(path.lastIndexOf('.') + 1);
        var value = node.get(field);
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
        return List.copyOf(urls);
    }
}
