package dev.cairn.statemachine;

import java.time.Clock;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How {@link LocalExecutions} runs: the state machine's name (in execution ids, {@code $$.StateMachine}),
 * the clock for timestamps and Wait states, the sleeper for Retry and Wait, and the random source for
 * retry jitter, {@code States.MathRandom} and {@code States.UUID}.
 */
public record ExecutionOptions(String machineName, Clock clock, Sleeper sleeper, RandomGenerator random) {
    public ExecutionOptions {
        Objects.requireNonNull(machineName, "machineName");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(sleeper, "sleeper");
        Objects.requireNonNull(random, "random");
        if (!machineName.matches("[A-Za-z0-9_-]{1,80}")) {
            throw new IllegalArgumentException("a state machine name is 1-80 of A-Z a-z 0-9 _ -, got '" + machineName + "'");
        }
    }

    /** Machine {@code local}, the system clock, real sleeps, a secure random source. */
    public static ExecutionOptions defaults() {
        return new ExecutionOptions("local", Clock.systemUTC(), Sleeper.REAL, new java.security.SecureRandom());
    }

    public ExecutionOptions withMachineName(String name) {
        return new ExecutionOptions(name, clock, sleeper, random);
    }

    public ExecutionOptions withClock(Clock value) {
        return new ExecutionOptions(machineName, value, sleeper, random);
    }

    public ExecutionOptions withSleeper(Sleeper value) {
        return new ExecutionOptions(machineName, clock, value, random);
    }

    public ExecutionOptions withRandom(RandomGenerator value) {
        return new ExecutionOptions(machineName, clock, sleeper, value);
    }
}
