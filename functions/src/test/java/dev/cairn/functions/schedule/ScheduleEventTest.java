package dev.cairn.functions.schedule;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.reconciler.RepoFiles;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** events/schedule.json is what EventBridge sends a rule's target on a schedule, with the fields ScheduleFunction reads. */
class ScheduleEventTest {

    @Test
    void theCheckedInEventIsAnEventBridgeScheduledEventOnAWindowBoundary() throws Exception {
        var event = new ObjectMapper().readTree(RepoFiles.checkoutRoot().resolve("events").resolve("schedule.json").toFile());
        assertThat(event.path("detail-type").asText()).isEqualTo("Scheduled Event");
        assertThat(event.path("source").asText()).isEqualTo("aws.events");
        assertThat(event.path("version").asText()).isEqualTo("0");
        assertThat(event.path("resources").get(0).asText()).startsWith("arn:aws:events:").contains(":rule/");
        assertThat(event.path("detail").isObject()).isTrue();
        var time = Instant.parse(event.path("time").asText());
        assertThat(ScheduleWindow.parse(ScheduleWiring.DEFAULT_RATE).start(time)).isEqualTo(time);
    }
}
