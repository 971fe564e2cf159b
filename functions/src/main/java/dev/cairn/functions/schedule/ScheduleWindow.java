package dev.cairn.functions.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The period of the schedule, from its EventBridge rate expression ({@code rate(1 hour)},
 * {@code rate(15 minutes)}, {@code rate(1 day)}): a tick belongs to the window its time falls in
 * (epoch-aligned), and the runs it starts are named by that window, so a retried tick (the same
 * event, the same time) starts nothing new.
 */
public record ScheduleWindow(Duration period) {
    private static final Pattern RATE = Pattern.compile("rate\\(\\s*(\\d+)\\s+(minute|minutes|hour|hours|day|days)\\s*\\)");

    public ScheduleWindow {
        if (period.isNegative() || period.isZero()) throw new IllegalArgumentException("a schedule period must be positive: " + period);
    }

    /** @throws IllegalArgumentException for anything but {@code rate(N minute[s]|hour[s]|day[s])} */
    public static ScheduleWindow parse(String expression) {
        var m = RATE.matcher(expression == null ? "" : expression.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not an EventBridge rate expression: `" + expression
                    + "` (use rate(N minutes), rate(N hours) or rate(N days), e.g. rate(1 hour))");
        }
        var n = Long.parseLong(m.group(1));
        if (n == 0) throw new IllegalArgumentException("a schedule rate must be at least 1: `" + expression + "`");
        var period = switch (m.group(2)) {
            case "minute", "minutes" -> Duration.ofMinutes(n);
            case "hour", "hours" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        return new ScheduleWindow(period);
    }

    /** The start of the window {@code time} falls in. */
    public Instant start(Instant time) {
        var millis = period.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(time.toEpochMilli(), millis) * millis);
    }
}
