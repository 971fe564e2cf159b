package dev.cairn.reconciler.store.contract;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/** Helpers shared by the store contract suites. */
final class Contracts {
    private Contracts() {
    }

    /** A name no other test (or run of the suite against a shared table) uses. */
    static String unique(String prefix) {
        var bytes = new byte[4];
        ThreadLocalRandom.current().nextBytes(bytes);
        return prefix + "-" + HexFormat.of().formatHex(bytes);
    }

    /** Runs every task at the same moment (released by one latch) and returns their outcomes. */
    static <T> List<Outcome<T>> race(ExecutorService pool, List<Callable<T>> tasks) throws InterruptedException {
        var ready = new CountDownLatch(tasks.size());
        var go = new CountDownLatch(1);
        var futures = new ArrayList<Future<T>>();
        for (var task : tasks) {
            futures.add(pool.submit(() -> {
                ready.countDown();
                go.await();
                return task.call();
            }));
        }
        ready.await();
        go.countDown();
        var outcomes = new ArrayList<Outcome<T>>();
        for (var f : futures) {
            try {
                outcomes.add(new Outcome<>(f.get(), null));
            } catch (java.util.concurrent.ExecutionException e) {
                outcomes.add(new Outcome<>(null, e.getCause()));
            }
        }
        return outcomes;
    }

    record Outcome<T>(T value, Throwable error) {
    }
}
