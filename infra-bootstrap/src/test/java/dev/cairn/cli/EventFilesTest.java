package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.functions.PushPayloads;
import dev.cairn.functions.WebhookSignatures;
import dev.cairn.functions.pr.PullRequestEvent.Kind;
import dev.cairn.functions.pr.PullRequestPayloads;
import dev.cairn.reconciler.manifest.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every file in {@code events/} is read by the parser its route uses ({@link PullRequestPayloads},
 * {@link PushPayloads}; the Slack and schedule events by their shape) and must come out as the
 * event it is documented as; a webhook event is signed for the documented test secret. A file
 * added to {@code events/} without an expectation here fails {@link #everyEventFileHasAnExpectation}.
 */
class EventFilesTest {
    static final Path EVENTS = Path.of(System.getProperty("cairn.repoRoot", "..")).toAbsolutePath().normalize().resolve("events");
    static final String SECRET = "cairn-dev-webhook-secret";

    /** What one file is: the parser's verdict, in words a failure message can show. */
    record Expected(String route, String kind, String action) {
    }

    static final Map<String, Expected> EXPECTED = Map.ofEntries(
            entry("github-push.json", new Expected("POST /webhooks/github", "push", null)),
            entry("github-ping.json", new Expected("POST /webhooks/github", "ping", null)),
            entry("github-pull-request.json", new Expected("POST /webhooks/github", Kind.PREVIEW.name(), "opened")),
            entry("github-pull-request-synchronize.json", new Expected("POST /webhooks/github", Kind.PREVIEW.name(), "synchronize")),
            entry("github-pull-request-closed.json", new Expected("POST /webhooks/github", Kind.CLOSED.name(), "closed")),
            entry("github-pull-request-merged.json", new Expected("POST /webhooks/github", Kind.MERGED.name(), "closed")),
            entry("github-pull-request-ignored.json", new Expected("POST /webhooks/github", "ignored", "labeled")),
            entry("gitlab-push.json", new Expected("POST /webhooks/gitlab", "push", null)),
            entry("gitlab-merge-request.json", new Expected("POST /webhooks/gitlab", Kind.PREVIEW.name(), "open")),
            entry("gitlab-merge-request-open.json", new Expected("POST /webhooks/gitlab", Kind.PREVIEW.name(), "open")),
            entry("gitlab-merge-request-update.json", new Expected("POST /webhooks/gitlab", Kind.PREVIEW.name(), "update")),
            entry("gitlab-merge-request-merge.json", new Expected("POST /webhooks/gitlab", Kind.MERGED.name(), "merge")),
            entry("gitlab-merge-request-close.json", new Expected("POST /webhooks/gitlab", Kind.CLOSED.name(), "close")),
            entry("schedule.json", new Expected("EventBridge", "scheduled", null)),
            entry("slack-infra-status.json", new Expected("/slack/events", "command", "status prod")),
            entry("slack-infra-apply.json", new Expected("/slack/events", "command", "apply prod")),
            entry("slack-approve-click.json", new Expected("/slack/events", "block_actions", "cairn_approve")));

    static Stream<String> files() throws Exception {
        try (var files = Files.list(EVENTS)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList().stream();
        }
    }

    @Test
    void everyEventFileHasAnExpectation() throws Exception {
        var names = files().toList();
        assertThat(names).as("events/*.json").hasSizeGreaterThanOrEqualTo(EXPECTED.size());
        assertThat(EXPECTED.keySet()).as("expectations for files that exist").allMatch(names::contains);
        assertThat(names).as("each file in events/ needs an expectation in EventFilesTest.EXPECTED").allMatch(EXPECTED::containsKey);
    }

    @ParameterizedTest
    @MethodSource("files")
    void eachEventParsesIntoTheEventItIsDocumentedAs(String name) throws Exception {
        var expected = EXPECTED.get(name);
        assertThat(expected).as(name + " has an expectation").isNotNull();
        var event = Json.MAPPER.readTree(Files.readAllBytes(EVENTS.resolve(name)));
        assertThat(actual(name, event)).as(name).isEqualTo(expected);
    }

    @Test
    void thePullRequestEventsCarryTheFieldsTheirFlowsNeed() throws Exception {
        var synchronize = pullRequest("github-pull-request-synchronize.json");
        assertThat(synchronize.previousHead()).as("the head before the push (top-level before)").isEqualTo(body("github-pull-request.json")
                .path("pull_request").path("head").path("sha").asText());
        assertThat(synchronize.headSha()).isNotEqualTo(synchronize.previousHead()).isEqualTo(body("github-pull-request-synchronize.json").path("after").asText());
        var merged = pullRequest("github-pull-request-merged.json");
        assertThat(merged.mergeCommit()).matches("[0-9a-f]{40}");
        assertThat(pullRequest("github-pull-request-closed.json").mergeCommit()).as("not merged: no merge commit").isNull();
        var update = pullRequest("gitlab-merge-request-update.json");
        assertThat(update.previousHead()).isEqualTo(pullRequest("gitlab-merge-request-open.json").headSha());
        assertThat(update.headSha()).isNotEqualTo(update.previousHead());
        assertThat(pullRequest("gitlab-merge-request-merge.json").mergeCommit()).isEqualTo(merged.mergeCommit());
        assertThat(pullRequest("gitlab-merge-request-close.json").mergeCommit()).isNull();
        // each delivery has its own id: replaying them one after another is not deduplicated away
        var ids = new TreeMap<String, String>();
        for (var name : files().toList()) {
            var headers = Json.MAPPER.readTree(Files.readAllBytes(EVENTS.resolve(name))).path("headers");
            var id = headers.path("x-github-delivery").asText(headers.path("x-gitlab-event-uuid").asText(null));
            if (id == null) continue;
            assertThat(ids.put(id, name)).as(name + " reuses the delivery id of another file").isNull();
        }
        assertThat(ids).hasSizeGreaterThanOrEqualTo(13);
    }

    private static Expected actual(String name, JsonNode event) throws Exception {
        if ("Scheduled Event".equals(event.path("detail-type").asText()) && "aws.events".equals(event.path("source").asText())) {
            return new Expected("EventBridge", "scheduled", null);
        }
        if ("/slack/events".equals(event.path("resource").asText())) return slack(name, event);
        assertThat(event.path("version").asText()).as(name + ": an HTTP API (2.0) event").isEqualTo("2.0");
        var route = event.path("routeKey").asText();
        var headers = event.path("headers");
        var body = event.path("body").asText().getBytes(StandardCharsets.UTF_8);
        assertThat(headers.path("content-length").asText()).as(name + ": content-length (events/resign.py fixes it)").isEqualTo(String.valueOf(body.length));
        if (route.equals("POST /webhooks/github")) {
            assertThat(WebhookSignatures.githubValid(SECRET, body, headers.path("x-hub-signature-256").asText()))
                    .as(name + " is signed for the test secret (re-sign with events/resign.py)").isTrue();
            var delivery = headers.path("x-github-delivery").asText();
            return switch (headers.path("x-github-event").asText()) {
                case "push" -> push(route, PushPayloads.github(delivery, body).ref());
                case "ping" -> new Expected(route, "ping", null);
                case "pull_request" -> pullRequest(route, PullRequestPayloads.github(delivery, body), body);
                default -> new Expected(route, "unknown event " + headers.path("x-github-event").asText(), null);
            };
        }
        if (route.equals("POST /webhooks/gitlab")) {
            assertThat(WebhookSignatures.gitlabValid(SECRET, headers.path("x-gitlab-token").asText())).as(name + " carries the test token").isTrue();
            var delivery = headers.path("x-gitlab-event-uuid").asText();
            return switch (headers.path("x-gitlab-event").asText()) {
                case "Push Hook" -> push(route, PushPayloads.gitlab(delivery, body).ref());
                case "Merge Request Hook" -> pullRequest(route, PullRequestPayloads.gitlab(delivery, body), body);
                default -> new Expected(route, "unknown event " + headers.path("x-gitlab-event").asText(), null);
            };
        }
        return new Expected(route, "unknown route", null);
    }

    private static Expected push(String route, String ref) {
        assertThat(ref).isEqualTo("refs/heads/main");
        return new Expected(route, "push", null);
    }

    private static Expected pullRequest(String route, PullRequestPayloads.Parsed parsed, byte[] body) {
        if (parsed.event().isEmpty()) {
            assertThat(parsed.ignored()).isNotBlank();
            var root = PushPayloads.parse(body);
            return new Expected(route, "ignored", root.path("action").asText(root.path("object_attributes").path("action").asText()));
        }
        var event = parsed.event().get();
        assertThat(event.number()).isEqualTo(7);
        assertThat(event.repository()).isEqualTo("acme/infra");
        assertThat(event.fromFork()).isFalse();
        return new Expected(route, event.kind().name(), event.action());
    }

    private static Expected slack(String name, JsonNode event) throws Exception {
        assertThat(event.path("httpMethod").asText()).isEqualTo("POST");
        assertThat(event.path("headers").path("X-Slack-Signature").asText()).as(name).startsWith("v0=");
        var form = new TreeMap<String, String>();
        for (var pair : event.path("body").asText().split("&")) {
            var eq = pair.indexOf('=');
            form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        if (form.containsKey("command")) {
            assertThat(form.get("command")).isEqualTo("/infra");
            return new Expected("/slack/events", "command", form.get("text"));
        }
        var payload = Json.MAPPER.readTree(form.getOrDefault("payload", "{}"));
        List<String> actions = payload.path("actions").findValuesAsText("action_id");
        return new Expected("/slack/events", payload.path("type").asText(), actions.isEmpty() ? null : actions.getFirst());
    }

    private static dev.cairn.functions.pr.PullRequestEvent pullRequest(String name) throws Exception {
        var event = Json.MAPPER.readTree(Files.readAllBytes(EVENTS.resolve(name)));
        var body = event.path("body").asText().getBytes(StandardCharsets.UTF_8);
        var parsed = name.startsWith("github") ? PullRequestPayloads.github("d", body) : PullRequestPayloads.gitlab("d", body);
        return parsed.event().orElseThrow(() -> new AssertionError(name + ": " + parsed.ignored()));
    }

    private static JsonNode body(String name) throws Exception {
        return Json.MAPPER.readTree(Json.MAPPER.readTree(Files.readAllBytes(EVENTS.resolve(name))).path("body").asText());
    }
}
