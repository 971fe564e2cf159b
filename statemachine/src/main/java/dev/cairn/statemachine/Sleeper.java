package dev.cairn.statemachine;

import java.time.Duration;

/** How the executor waits between retries and in Wait states; tests pass one that records and returns. */
@FunctionalInterface
public interface Sleeper {
    Sleeper REAL = Thread::sleep;

    void sleep(Duration duration) throws InterruptedException;
}
