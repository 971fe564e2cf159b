package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs executions of one {@link StateMachine} on local threads, like a Step Functions state
 * machine: {@link #start} is idempotent by name (a running or finished execution of that name is
 * returned, nothing new starts), {@link #stop} aborts (a waiting task gets
 * {@link InterruptedException}, the execution ends {@code ABORTED}). History is kept per execution
 * and handed to the listener as it happens.
 *
 * <p>Construct with {@code new LocalExecutions(machine, Map.of(resource, integration, ...), listener,
 * ExecutionOptions.defaults())}; see docs/state-machine-local.md.
 */
public interface Executions extends AutoCloseable {

    enum Status { RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED }

    /**
     * @param id       {@code arn:aws:states:local:000000000000:execution:MACHINE:NAME}
     * @param error    for FAILED/ABORTED/TIMED_OUT
     */
    record Execution(String id, String name, Status status, JsonNode input, Optional<JsonNode> output, Optional<String> error,
                     Optional<String> cause, Instant started, Optional<Instant> stopped) {
    }

    /**
     * One history event, as Step Functions names them ({@code ExecutionStarted}, {@code TaskStateEntered},
     * {@code TaskScheduled}, {@code TaskSucceeded}, {@code TaskFailed}, {@code TaskStateExited},
     * {@code MapIterationStarted}, ..., {@code ExecutionSucceeded}).
     *
     * @param state the state's name, with the Map iteration index for states inside a Map
     *              ({@code Stages[1]/Render}); empty for execution-level events
     */
    record HistoryEvent(long id, Instant timestamp, String type, String state, Optional<JsonNode> detail) {
    }

    @FunctionalInterface
    interface Listener {
        Listener NONE = (execution, event) -> { };

        void event(Execution execution, HistoryEvent event);
    }

    Execution start(String name, JsonNode input);

    Optional<Execution> describe(String name);

    List<HistoryEvent> history(String name);

    /** Blocks until the execution ends or {@code timeout} passes; returns its latest description. */
    Execution await(String name, Duration timeout) throws InterruptedException;

    void stop(String name, String error, String cause);

    TaskTokens tokens();

    List<Execution> list();

    /** Stops every running execution (error {@code States.Aborted}, cause "shutdown") and waits for them. */
    @Override
    void close();

    /** For the differential tests and for {@code cairn serve}'s wiring. */
    static Map<String, TaskIntegration> noIntegrations() {
        return Map.of();
    }
}
