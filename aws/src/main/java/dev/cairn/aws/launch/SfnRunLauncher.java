package dev.cairn.aws.launch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.reconciler.launch.RunLauncher;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

import java.util.Map;
import java.util.Optional;

/**
 * {@link RunLauncher} on Step Functions: one {@code StartExecution} named by the request's
 * deterministic name, with the run's facts as JSON input ({@code infrastructure}, {@code action}
 * as the {@code RunAction} name, {@code commit}, {@code ref}, {@code trigger}).
 *
 * <p>Idempotent by name. It first looks the execution up by its ARN (derived from the state
 * machine's ARN and the name), so a redelivery starts nothing; a race that still reaches
 * {@code StartExecution} for an existing name gets {@code ExecutionAlreadyExists} and is answered
 * with the existing execution. Looking up first also sidesteps moto 5.2.1, whose second
 * {@code StartExecution} on one server can fail with HTTP 500.
 */
public final class SfnRunLauncher implements RunLauncher {
    /** The state machine every run starts on. */
    public static final String STATE_MACHINE_ARN_ENV = "CAIRN_STATE_MACHINE_ARN";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SfnClient sfn;
    private final String stateMachineArn;

    public SfnRunLauncher(SfnClient sfn, String stateMachineArn) {
        if (stateMachineArn == null || !stateMachineArn.contains(":stateMachine:")) {
            throw new IllegalArgumentException("not a Step Functions state machine ARN: " + stateMachineArn
                    + " (set " + STATE_MACHINE_ARN_ENV + " to arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)");
        }
        this.sfn = sfn;
        this.stateMachineArn = stateMachineArn;
    }

    /** From {@value #STATE_MACHINE_ARN_ENV} in {@code env}; fails with what to set when it is missing. */
    public static SfnRunLauncher fromEnv(SfnClient sfn, Map<String, String> env) {
        var arn = env.get(STATE_MACHINE_ARN_ENV);
        if (arn == null || arn.isBlank()) {
            throw new IllegalStateException(STATE_MACHINE_ARN_ENV + " is not set: cannot start runs without the state machine's ARN");
        }
        return new SfnRunLauncher(sfn, arn.strip());
    }

    @Override
    public Launched launch(RunRequest request) {
        var existing = describe(executionArn(request.name()));
        if (existing.isPresent()) return new Launched(request.name(), existing.get(), true);
        try {
            var started = sfn.startExecution(b -> b.stateMachineArn(stateMachineArn).name(request.name()).input(input(request)));
            return new Launched(request.name(), started.executionArn(), false);
        } catch (ExecutionAlreadyExistsException raced) {
            var arn = describe(executionArn(request.name())).orElse(executionArn(request.name()));
            return new Launched(request.name(), arn, true);
        }
    }

    /**
     * {@code StopExecution} with error {@code Cancelled}; the EventBridge rule on the execution's
     * status then runs Finish, which records the run and releases the lock.
     */
    @Override
    public boolean cancel(String name, String cause) {
        var arn = executionArn(name);
        try {
            if (sfn.describeExecution(b -> b.executionArn(arn)).status() != ExecutionStatus.RUNNING) return false;
            sfn.stopExecution(b -> b.executionArn(arn).error("Cancelled").cause(cause == null ? "" : cause));
            return true;
        } catch (ExecutionDoesNotExistException absent) {
            return false;
        }
    }

    /** {@code arn:aws:states:R:A:stateMachine:M} and name N give {@code arn:aws:states:R:A:execution:M:N}. */
    String executionArn(String name) {
        return stateMachineArn.replaceFirst(":stateMachine:", ":execution:") + ":" + name;
    }

    private Optional<String> describe(String executionArn) {
        try {
            return Optional.of(sfn.describeExecution(b -> b.executionArn(executionArn)).executionArn());
        } catch (ExecutionDoesNotExistException absent) {
            return Optional.empty();
        }
    }

    static String input(RunRequest request) {
        try {
            return JSON.writeValueAsString(request.executionInput());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
