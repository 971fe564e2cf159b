package dev.cairn.functions;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The checked-in events are what API Gateway sends and are signed for the documented test secret. */
class EventsTest {

    @Test
    void githubEventsAreSignedForTheTestSecret() {
        for (var name : new String[]{"github-push.json", "github-ping.json", "github-pull-request-ignored.json", "github-pull-request.json"}) {
            var event = TestEvents.load(name);
            assertThat(event.getVersion()).as(name).isEqualTo("2.0");
            assertThat(event.getRouteKey()).as(name).isEqualTo("POST /webhooks/github");
            assertThat(event.getHeaders().keySet()).as(name).allMatch(h -> h.equals(h.toLowerCase()));
            assertThat(WebhookSignatures.githubValid(TestEvents.SECRET, event.getBody().getBytes(StandardCharsets.UTF_8),
                    event.getHeaders().get("x-hub-signature-256"))).as(name + " (re-sign with events/resign.py)").isTrue();
            assertThat(event.getHeaders().get("content-length")).as(name)
                    .isEqualTo(String.valueOf(event.getBody().getBytes(StandardCharsets.UTF_8).length));
        }
    }

    @Test
    void gitlabEventCarriesTheTestToken() {
        for (var name : new String[]{"gitlab-push.json", "gitlab-merge-request.json"}) {
            var event = TestEvents.load(name);
            assertThat(event.getRouteKey()).as(name).isEqualTo("POST /webhooks/gitlab");
            assertThat(event.getHeaders()).as(name).containsKey("x-gitlab-event").containsKey("x-gitlab-event-uuid");
            assertThat(WebhookSignatures.gitlabValid(TestEvents.SECRET, event.getHeaders().get("x-gitlab-token"))).as(name).isTrue();
        }
    }
}
