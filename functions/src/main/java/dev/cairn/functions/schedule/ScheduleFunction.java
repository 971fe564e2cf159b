package dev.cairn.functions.schedule;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * The scheduled reconcile ({@code dev.cairn.functions.schedule.ScheduleFunction::handleRequest}),
 * on an EventBridge schedule: catch-up applies for infrastructures a missed webhook left behind
 * the branch head, plan-only drift checks for the rest ({@link ScheduleFlow}).
 *
 * <p>The event is read as a map: {@code ScheduledEvent}'s {@code time} is a Joda type, and only
 * {@code time} is needed. A misconfiguration fails every tick (the function's error metric shows
 * it) rather than starting nothing quietly.
 */
public final class ScheduleFunction implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduleFunction.class);
    private final ScheduleFlow flow;
    private final String misconfigured;

    public ScheduleFunction() {
        this(System.getenv());
    }

    public ScheduleFunction(Map<String, String> env) {
        ScheduleFlow built = null;
        String problem = null;
        try {
            built = ScheduleWiring.flow(Map.copyOf(env));
        } catch (RuntimeException e) {
            problem = e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.error("the schedule function is misconfigured and fails every tick: " + problem);
        }
        this.flow = built;
        this.misconfigured = problem;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        return context == null ? handle(event) : PowertoolsLogging.withLogging(context, () -> handle(event));
    }

    private Map<String, Object> handle(Map<String, Object> event) {
        if (flow == null) throw new IllegalStateException("the schedule function is misconfigured: " + misconfigured);
        var time = event == null ? null : event.get("time");
        Instant at;
        try {
            at = time == null ? Instant.now() : Instant.parse(time.toString());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("the event's time is not an ISO-8601 instant: " + time);
        }
        try {
            var result = flow.tick(at);
            LOG.info("schedule tick {}: {} started, {} skipped", at, ((java.util.List<?>) result.get("started")).size(),
                    ((java.util.List<?>) result.get("skipped")).size());
            return result;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("the scheduled reconcile failed: " + e.getMessage(), e);
        }
    }
}
