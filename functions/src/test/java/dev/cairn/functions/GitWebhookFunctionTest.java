package dev.cairn.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.cairn.reconciler.run.Workspace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The handler through its public constructor with the local wiring (stores under a temp
 * CAIRN_STATE_DIR): everything decided before the repository is fetched.
 */
class GitWebhookFunctionTest {
    @TempDir
    Path tmp;
    Path state;
    Map<String, String> env;

    @BeforeEach
    void env() {
        state = tmp.resolve("state");
        env = new HashMap<>(Map.of(
                "CAIRN_GITHUB_WEBHOOK_SECRET", TestEvents.SECRET,
                "CAIRN_GITLAB_WEBHOOK_TOKEN", TestEvents.SECRET,
                "CAIRN_STATE_DIR", state.toString(),
                "CAIRN_GIT_CACHE_DIR", tmp.resolve("git").toString()));
    }

    private APIGatewayV2HTTPResponse invoke(APIGatewayV2HTTPEvent event) {
        return new GitWebhookFunction(env).handleRequest(event, null);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> body(APIGatewayV2HTTPResponse response) {
        try {
            return TestEvents.JSON.readValue(response.getBody(), Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Nothing under the state dir, no audit entry, and the delivery id still unseen. */
    private void assertNothingRecorded(String source, String delivery) throws IOException {
        try (var files = Files.walk(tmp)) {
            assertThat(files.filter(Files::isRegularFile).toList()).as("files written").isEmpty();
        }
        var workspace = new Workspace(state);
        assertThat(workspace.audit().list("-", 10)).isEmpty();
        assertThat(workspace.deliveries().firstSeen(source, delivery, Instant.now().plusSeconds(60))).as("delivery unseen").isTrue();
    }

    private static APIGatewayV2HTTPEvent push() {
        return TestEvents.load("github-push.json");
    }

    private static String delivery(APIGatewayV2HTTPEvent event, String header) {
        return event.getHeaders().get(header);
    }

    @Test
    void badMissingAndSha1OnlySignaturesAre401AndRecordNothing() throws IOException {
        var push = push();
        var tamperedBody = TestEvents.withBody(push, push.getBody().replace("refs/heads/main", "refs/heads/mainx"), false);
        var badSignature = TestEvents.withHeader(push, "x-hub-signature-256", "sha256=" + "0".repeat(64));
        var missing = TestEvents.withHeader(push, "x-hub-signature-256", null);
        var sha1Only = TestEvents.withHeader(missing, "x-hub-signature", "sha1=0123456789abcdef0123456789abcdef01234567");
        var upperCaseHeader = TestEvents.withHeader(tamperedBody, "X-Hub-Signature-256", push.getHeaders().get("x-hub-signature-256"));
        for (var event : new APIGatewayV2HTTPEvent[]{tamperedBody, badSignature, missing, sha1Only, upperCaseHeader}) {
            var response = invoke(event);
            assertThat(response.getStatusCode()).isEqualTo(401);
            assertThat(body(response)).containsEntry("outcome", "refused");
            assertThat(response.getBody()).doesNotContain(TestEvents.SECRET);
        }
        assertThat(body(invoke(sha1Only))).containsEntry("message", "only X-Hub-Signature-256 (sha256) signatures are accepted");
        assertNothingRecorded("github", delivery(push, "x-github-delivery"));
    }

    @Test
    void aWrongOrMissingGitlabTokenIs401AndRecordsNothing() throws IOException {
        var push = TestEvents.load("gitlab-push.json");
        assertThat(invoke(TestEvents.withHeader(push, "x-gitlab-token", "not-the-token")).getStatusCode()).isEqualTo(401);
        assertThat(invoke(TestEvents.withHeader(push, "x-gitlab-token", null)).getStatusCode()).isEqualTo(401);
        assertNothingRecorded("gitlab", delivery(push, "x-gitlab-event-uuid"));
    }

    @Test
    void noSecretConfiguredRefusesEveryDelivery() throws IOException {
        env.remove("CAIRN_GITHUB_WEBHOOK_SECRET");
        var response = invoke(push());
        assertThat(response.getStatusCode()).isEqualTo(503);
        assertThat(body(response)).containsEntry("outcome", "not-configured");
        assertNothingRecorded("github", delivery(push(), "x-github-delivery"));
    }

    @Test
    void aMisconfiguredFunctionRefusesEveryDelivery() throws IOException {
        env.put("CAIRN_TABLE", "cairn"); // the AWS wiring, without CAIRN_STATE_MACHINE_ARN
        env.put("AWS_REGION", "eu-west-1");
        var function = new GitWebhookFunction(env);
        for (var event : new APIGatewayV2HTTPEvent[]{push(), TestEvents.load("github-ping.json")}) {
            var response = function.handleRequest(event, null);
            assertThat(response.getStatusCode()).isEqualTo(503);
            assertThat(body(response)).containsEntry("outcome", "not-configured");
        }
        assertNothingRecorded("github", delivery(push(), "x-github-delivery"));
    }

    @Test
    void anOversizedBodyIs413BeforeAnythingElse() throws IOException {
        var big = "{\"pad\":\"" + "x".repeat(WebhookService.MAX_BODY_BYTES) + "\"}";
        assertThat(invoke(TestEvents.withBody(push(), big, false)).getStatusCode()).isEqualTo(413);
        var encoded = Base64.getEncoder().encodeToString(big.getBytes(StandardCharsets.UTF_8));
        assertThat(invoke(TestEvents.withBody(push(), encoded, true)).getStatusCode()).isEqualTo(413);
        assertNothingRecorded("github", delivery(push(), "x-github-delivery"));
    }

    @Test
    void malformedJsonAfterAGoodSignatureIs400WithoutAStackTrace() throws IOException {
        var garbage = "{\"ref\": \"refs/heads/main\", \"before\": ";
        var event = TestEvents.withHeader(TestEvents.withBody(push(), garbage, false), "x-hub-signature-256",
                WebhookSignatures.githubSignature(TestEvents.SECRET, garbage.getBytes(StandardCharsets.UTF_8)));
        var response = invoke(event);
        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(body(response)).containsEntry("outcome", "bad-request");
        assertThat(response.getBody()).contains("not valid JSON").doesNotContain("Exception").doesNotContain("at com.");
        assertNothingRecorded("github", delivery(push(), "x-github-delivery"));
    }

    @Test
    void aBase64BodyIsDecodedBeforeItIsVerified() {
        var ping = TestEvents.load("github-ping.json");
        var encoded = Base64.getEncoder().encodeToString(ping.getBody().getBytes(StandardCharsets.UTF_8));
        var response = invoke(TestEvents.withBody(ping, encoded, true));
        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(body(response)).containsEntry("outcome", "pong");
    }

    @Test
    void pingIsPongAndOtherEventsAre202WithTheReason() throws IOException {
        var ping = invoke(TestEvents.load("github-ping.json"));
        assertThat(ping.getStatusCode()).isEqualTo(200);
        assertThat(body(ping)).containsEntry("message", "pong");

        var pr = invoke(TestEvents.load("github-pull-request-ignored.json"));
        assertThat(pr.getStatusCode()).isEqualTo(202);
        assertThat(body(pr)).containsEntry("outcome", "ignored");
        assertThat((String) body(pr).get("message")).contains("pull_request").contains("not handled");

        var tagEvent = TestEvents.withHeader(TestEvents.load("gitlab-push.json"), "x-gitlab-event", "Tag Push Hook");
        assertThat(invoke(tagEvent).getStatusCode()).isEqualTo(202);
        assertNothingRecorded("github", delivery(TestEvents.load("github-ping.json"), "x-github-delivery"));
    }

    @Test
    void tagPushesAndBranchDeletionsAre202AndARedeliveryIsADuplicate() {
        var tag = TestEvents.edited("github-push.json", b -> b.put("ref", "refs/tags/v1.0.0"));
        var first = invoke(tag);
        assertThat(first.getStatusCode()).isEqualTo(202);
        assertThat((String) body(first).get("ignored")).contains("not a branch push");

        var again = invoke(tag);
        assertThat(again.getStatusCode()).isEqualTo(200);
        assertThat(body(again)).containsEntry("outcome", "duplicate");

        var deletion = TestEvents.withHeader(TestEvents.edited("github-push.json", b -> b.put("after", "0".repeat(40)).put("deleted", true)),
                "x-github-delivery", "5b0c5c8e-0000-4000-8000-000000000001");
        var deleted = invoke(deletion);
        assertThat(deleted.getStatusCode()).isEqualTo(202);
        assertThat((String) body(deleted).get("ignored")).contains("was deleted");

        var audit = new Workspace(state).audit().list("-", 10);
        assertThat(audit).extracting(e -> e.outcome()).containsExactlyInAnyOrder("ignored", "duplicate", "ignored");
        assertThat(audit).allSatisfy(e -> assertThat(e.actor()).isEqualTo("github:octocat"));
    }

    @Test
    void unknownRoutesAndMethodsAreRefused() {
        var push = push();
        var elsewhere = APIGatewayV2HTTPEvent.builder().withRawPath("/webhooks/bitbucket").withRouteKey("POST /webhooks/bitbucket")
                .withHeaders(push.getHeaders()).withBody(push.getBody()).withRequestContext(push.getRequestContext()).build();
        assertThat(invoke(elsewhere).getStatusCode()).isEqualTo(404);
        var get = APIGatewayV2HTTPEvent.builder().withRawPath("/webhooks/github").withRouteKey("GET /webhooks/github")
                .withHeaders(push.getHeaders()).withBody(push.getBody()).build();
        assertThat(invoke(get).getStatusCode()).isEqualTo(405);
    }
}
