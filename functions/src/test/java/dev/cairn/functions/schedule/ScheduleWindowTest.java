package dev.cairn.functions.schedule;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScheduleWindowTest {

    @Test
    void rateExpressionsGiveTheirPeriod() {
        assertThat(ScheduleWindow.parse("rate(1 hour)").period()).isEqualTo(Duration.ofHours(1));
        assertThat(ScheduleWindow.parse(" rate(15 minutes) ").period()).isEqualTo(Duration.ofMinutes(15));
        assertThat(ScheduleWindow.parse("rate(2 days)").period()).isEqualTo(Duration.ofDays(2));
    }

    @Test
    void aTickBelongsToTheWindowItFallsIn() {
        var hourly = ScheduleWindow.parse("rate(1 hour)");
        assertThat(hourly.start(Instant.parse("2026-12-02T01:00:00Z"))).isEqualTo(Instant.parse("2026-12-02T01:00:00Z"));
        assertThat(hourly.start(Instant.parse("2026-12-02T01:59:59.999Z"))).isEqualTo(Instant.parse("2026-12-02T01:00:00Z"));
        assertThat(hourly.start(Instant.parse("2026-12-02T02:00:00Z"))).isEqualTo(Instant.parse("2026-12-02T02:00:00Z"));
        assertThat(ScheduleWindow.parse("rate(15 minutes)").start(Instant.parse("2026-12-02T01:44:10Z")))
                .isEqualTo(Instant.parse("2026-12-02T01:30:00Z"));
    }

    @Test
    void anythingButARateIsRefusedWithWhatToWrite() {
        assertThatThrownBy(() -> ScheduleWindow.parse("cron(0 * * * ? *)")).hasMessageContaining("rate(1 hour)");
        assertThatThrownBy(() -> ScheduleWindow.parse("rate(0 hours)")).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> ScheduleWindow.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
