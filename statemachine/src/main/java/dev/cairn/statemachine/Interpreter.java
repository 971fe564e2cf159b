package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.statemachine.Definition.Branch;
import dev.cairn.statemachine.Definition.Catcher;
import dev.cairn.statemachine.Definition.Common;
import dev.cairn.statemachine.Definition.Retrier;
import dev.cairn.statemachine.Definition.State;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one execution's states: input and output processing, Task dispatch with Retry/Catch and
 * timeouts, Map and Parallel on virtual threads. Failures travel as {@link TaskFailure} (error
 * name and cause); {@code States.Runtime} is never retried or caught. An interrupt (stop) ends
 * the execution with {@link InterruptedException}.
 */
final class Interpreter {

    /** Where history goes. */
    interface Events {
        void event(String type, String state, JsonNode detail);
    }

    private record Step(JsonNode output, String next) {
    }

    @FunctionalInterface
    private interface Attempt {
        JsonNode run(int retryCount) throws TaskFailure, InterruptedException;
    }

    @FunctionalInterface
    private interface Job {
        JsonNode run(int index, JsonNode input) throws TaskFailure, InterruptedException;
    }

    private final Map<String, TaskIntegration> integrations;
    private final LocalTaskTokens tokens;
    private final ExecutionOptions options;
    private final ObjectNode executionContext;
    private final String executionId;
    private final ExecutorService taskThreads;
    private final Events events;

    Interpreter(Map<String, TaskIntegration> integrations, LocalTaskTokens tokens, ExecutionOptions options,
                ObjectNode executionContext, ExecutorService taskThreads, Events events) {
        this.integrations = integrations;
        this.tokens = tokens;
        this.options = options;
        this.executionContext = executionContext;
        this.executionId = executionContext.path("Execution").path("Id").asText();
        this.taskThreads = taskThreads;
        this.events = events;
    }

    static String timestamp(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.MILLIS));
    }

    JsonNode run(Branch branch, JsonNode input, String prefix) throws TaskFailure, InterruptedException {
        String current = branch.startAt();
        JsonNode data = input;
        while (true) {
            if (Thread.currentThread().isInterrupted()) throw new InterruptedException("stopped");
            State state = branch.states().get(current);
            String label = prefix + state.name();
            Instant entered = options.clock().instant();
            events.event(state.type() + "StateEntered", label, Json.object().put("name", state.name()).set("input", data));
            Step step = switch (state) {
                case Definition.Task t -> task(t, data, label, entered);
                case Definition.MapState m -> map(m, data, label, entered);
                case Definition.Parallel p -> parallel(p, data, label, entered);
                case Definition.Pass p -> pass(p, data, entered);
                case Definition.Wait w -> waitState(w, data, entered);
                case Definition.Choice c -> choice(c, data, entered);
                case Definition.Succeed s -> {
                    ObjectNode context = context(s.name(), entered, 0);
                    yield new Step(s.outputPath().apply(s.inputPath().apply(data, context), context), null);
                }
                case Definition.Fail f -> throw fail(f, data, entered);
            };
            events.event(state.type() + "StateExited", label, Json.object().put("name", state.name()).set("output", step.output()));
            if (step.next() == null) return step.output();
            current = step.next();
            data = step.output();
        }
    }

    private ObjectNode context(String stateName, Instant entered, int retryCount) {
        ObjectNode context = Json.object().setAll(executionContext);
        context.putObject("State").put("Name", stateName).put("EnteredTime", timestamp(entered)).put("RetryCount", retryCount);
        return context;
    }

    /** ResultSelector, ResultPath, OutputPath. */
    private JsonNode finish(Common io, JsonNode raw, JsonNode result, ObjectNode context) throws TaskFailure {
        JsonNode selected = io.resultSelector() == null ? result : io.resultSelector().eval(result, context, options.random());
        return io.outputPath().apply(io.resultPath().apply(raw, selected), context);
    }

    private Step withRetryAndCatch(Common io, JsonNode raw, String label, Attempt attempt) throws TaskFailure, InterruptedException {
        int[] attempts = new int[io.retry().size()];
        int retryCount = 0;
        while (true) {
            try {
                return new Step(attempt.run(retryCount), io.next());
            } catch (TaskFailure failure) {
                if (failure.error().equals("States.Runtime")) throw failure;
                int r = matching(io.retry().stream().map(Retrier::errors).toList(), failure.error());
                if (r >= 0 && attempts[r] < io.retry().get(r).maxAttempts()) {
                    Duration delay = delay(io.retry().get(r), attempts[r]);
                    attempts[r]++;
                    retryCount++;
                    options.sleeper().sleep(delay);
                    continue;
                }
                int c = matching(io.catchers().stream().map(Catcher::errors).toList(), failure.error());
                if (c < 0) throw failure;
                Catcher catcher = io.catchers().get(c);
                ObjectNode error = Json.object().put("Error", failure.error()).put("Cause", failure.cause());
                return new Step(catcher.resultPath().apply(raw, error), catcher.next());
            }
        }
    }

    /** The first retrier or catcher whose ErrorEquals names the error; -1 if none. */
    static int matching(List<List<String>> errorEquals, String error) {
        for (int i = 0; i < errorEquals.size(); i++) {
            for (String name : errorEquals.get(i)) {
                if (name.equals(error)
                        || name.equals("States.ALL")
                        || (name.equals("States.TaskFailed") && !error.equals("States.Timeout"))) {
                    return i;
                }
            }
        }
        return -1;
    }

    private Duration delay(Retrier retrier, int attempt) {
        double seconds = retrier.intervalSeconds() * Math.pow(retrier.backoffRate(), attempt);
        if (retrier.maxDelaySeconds().isPresent()) seconds = Math.min(seconds, retrier.maxDelaySeconds().get());
        if (retrier.fullJitter()) seconds = options.random().nextDouble() * seconds;
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    // --- Task

    private Step task(Definition.Task task, JsonNode raw, String label, Instant entered) throws TaskFailure, InterruptedException {
        Common io = task.io();
        return withRetryAndCatch(io, raw, label, retryCount -> {
            ObjectNode context = context(task.name(), entered, retryCount);
            JsonNode effective = io.inputPath().apply(raw, context);
            String token = task.waitsForToken() ? tokens.issue() : null;
            try {
                if (token != null) context.putObject("Task").put("Token", token);
                JsonNode parameters = io.parameters() == null ? effective : io.parameters().eval(effective, context, options.random());
                Optional<Duration> timeout = timeout(task, effective, context);
                JsonNode result = call(task, label, parameters, token, timeout);
                return finish(io, raw, result, context);
            } finally {
                if (token != null) tokens.retire(token);
            }
        });
    }

    private Optional<Duration> timeout(Definition.Task task, JsonNode effective, JsonNode context) throws TaskFailure {
        if (task.timeoutSeconds().isPresent()) return Optional.of(Duration.ofSeconds(task.timeoutSeconds().get()));
        if (task.timeoutSecondsPath().isEmpty()) return Optional.empty();
        JsonNode value = task.timeoutSecondsPath().get().read(effective, context);
        if (!value.canConvertToExactIntegral() || value.longValue() <= 0) {
            throw new TaskFailure("States.Runtime", "TimeoutSecondsPath '" + task.timeoutSecondsPath().get()
                    + "' must select a positive integer, got " + Json.excerpt(value));
        }
        return Optional.of(Duration.ofSeconds(value.longValue()));
    }

    private JsonNode call(Definition.Task task, String label, JsonNode parameters, String token, Optional<Duration> timeout)
            throws TaskFailure, InterruptedException {
        TaskIntegration integration = integrations.get(task.resource());
        ObjectNode scheduled = Json.object().put("resource", task.resource());
        scheduled.set("parameters", token == null ? parameters : redact(parameters, token));
        timeout.ifPresent(t -> scheduled.put("timeoutInSeconds", t.toSeconds()));
        events.event("TaskScheduled", label, scheduled);
        events.event("TaskStarted", label, Json.object().put("resource", task.resource()));
        TaskCall call = new TaskCall(executionId, task.name(), task.resource(), parameters, Optional.ofNullable(token), timeout);
        long deadline = timeout.map(t -> System.nanoTime() + t.toNanos()).orElse(Long.MAX_VALUE);
        Future<JsonNode> running = taskThreads.submit(() -> integration.run(call));
        try {
            JsonNode result = await(running, deadline);
            if (token != null) {
                events.event("TaskSubmitted", label, Json.object().put("resource", task.resource()).set("output", result));
                result = await(tokens.answer(token), deadline);
            }
            if (result == null) result = Json.NODES.nullNode();
            events.event("TaskSucceeded", label, Json.object().put("resource", task.resource()).set("output", result));
            return result;
        } catch (TimeoutException e) {
            String cause = "The task did not finish within " + timeout.orElseThrow().toSeconds() + " s (TimeoutSeconds)";
            events.event("TaskTimedOut", label, Json.object().put("resource", task.resource())
                    .put("error", "States.Timeout").put("cause", cause));
            throw new TaskFailure("States.Timeout", cause);
        } catch (ExecutionException e) {
            TaskFailure failure = e.getCause() instanceof TaskFailure f ? f
                    : new TaskFailure(e.getCause().getClass().getName(), String.valueOf(e.getCause().getMessage()));
            events.event("TaskFailed", label, Json.object().put("resource", task.resource())
                    .put("error", failure.error()).put("cause", failure.cause()));
            throw failure;
        } finally {
            running.cancel(true);
        }
    }

    private static JsonNode await(Future<JsonNode> future, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (deadline == Long.MAX_VALUE) return future.get();
        return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private static JsonNode redact(JsonNode node, String token) {
        if (node.isTextual() && node.textValue().equals(token)) return Json.NODES.textNode("(task token)");
        if (node.isObject()) {
            ObjectNode out = Json.object();
            node.properties().forEach(f -> out.set(f.getKey(), redact(f.getValue(), token)));
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = Json.NODES.arrayNode();
            node.forEach(item -> out.add(redact(item, token)));
            return out;
        }
        return node;
    }

    // --- Map and Parallel

    private Step map(Definition.MapState map, JsonNode raw, String label, Instant entered) throws TaskFailure, InterruptedException {
        Common io = map.io();
        return withRetryAndCatch(io, raw, label, retryCount -> {
            ObjectNode context = context(map.name(), entered, retryCount);
            JsonNode effective = io.inputPath().apply(raw, context);
            JsonNode items = map.itemsPath().read(effective, context);
            if (!items.isArray()) {
                throw new TaskFailure("States.Runtime", "ItemsPath '" + map.itemsPath() + "' selected " + Json.typeName(items)
                        + ", not an array: " + Json.excerpt(items));
            }
            int max = map.maxConcurrency().orElse(0);
            if (map.maxConcurrencyPath().isPresent()) {
                JsonNode value = map.maxConcurrencyPath().get().read(effective, context);
                if (!value.canConvertToExactIntegral() || value.longValue() < 0 || !value.canConvertToInt()) {
                    throw new TaskFailure("States.Runtime", "MaxConcurrencyPath '" + map.maxConcurrencyPath().get()
                            + "' must select a non-negative integer, got " + Json.excerpt(value));
                }
                max = value.intValue();
            }
            List<JsonNode> inputs = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                if (io.parameters() == null) {
                    inputs.add(items.get(i));
                } else {
                    ObjectNode itemContext = Json.object().setAll(context);
                    ObjectNode item = itemContext.putObject("Map").putObject("Item").put("Index", i);
                    item.set("Value", items.get(i));
                    inputs.add(io.parameters().eval(effective, itemContext, options.random()));
                }
            }
            events.event("MapStateStarted", label, Json.object().put("length", inputs.size()));
            try {
                JsonNode results = concurrently(label, "MapIteration", inputs, max,
                        (i, input) -> run(map.processor(), input, label + "[" + i + "]/"));
                events.event("MapStateSucceeded", label, Json.object());
                return finish(io, raw, results, context);
            } catch (TaskFailure failure) {
                events.event("MapStateFailed", label, Json.object().put("error", failure.error()).put("cause", failure.cause()));
                throw failure;
            } catch (InterruptedException aborted) {
                events.event("MapStateAborted", label, Json.object());
                throw aborted;
            }
        });
    }

    private Step parallel(Definition.Parallel parallel, JsonNode raw, String label, Instant entered) throws TaskFailure, InterruptedException {
        Common io = parallel.io();
        return withRetryAndCatch(io, raw, label, retryCount -> {
            ObjectNode context = context(parallel.name(), entered, retryCount);
            JsonNode effective = io.inputPath().apply(raw, context);
            JsonNode input = io.parameters() == null ? effective : io.parameters().eval(effective, context, options.random());
            List<JsonNode> inputs = parallel.branches().stream().map(b -> input).toList();
            events.event("ParallelStateStarted", label, Json.object());
            try {
                JsonNode results = concurrently(label, null, inputs, 0,
                        (i, in) -> run(parallel.branches().get(i), in, label + "[" + i + "]/"));
                events.event("ParallelStateSucceeded", label, Json.object());
                return finish(io, raw, results, context);
            } catch (TaskFailure failure) {
                events.event("ParallelStateFailed", label, Json.object().put("error", failure.error()).put("cause", failure.cause()));
                throw failure;
            } catch (InterruptedException aborted) {
                events.event("ParallelStateAborted", label, Json.object());
                throw aborted;
            }
        });
    }

    /**
     * Runs the jobs on virtual threads, at most {@code max} at once (0: all), results in input
     * order. The first failure aborts the others and is rethrown; an interrupt aborts them all.
     */
    private JsonNode concurrently(String label, String kind, List<JsonNode> inputs, int max, Job job)
            throws TaskFailure, InterruptedException {
        Semaphore permits = new Semaphore(max == 0 ? Math.max(1, inputs.size()) : max, true);
        ExecutorService pool = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(label + "-", 0).factory());
        try {
            ExecutorCompletionService<JsonNode> done = new ExecutorCompletionService<>(pool);
            List<Future<JsonNode>> futures = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                int index = i;
                JsonNode input = inputs.get(i);
                futures.add(done.submit(() -> {
                    permits.acquire();
                    try {
                        if (kind != null) events.event(kind + "Started", label, Json.object().put("index", index));
                        JsonNode output = job.run(index, input);
                        if (kind != null) events.event(kind + "Succeeded", label, Json.object().put("index", index));
                        return output;
                    } catch (TaskFailure failure) {
                        if (kind != null) {
                            events.event(kind + "Failed", label, Json.object().put("index", index)
                                    .put("error", failure.error()).put("cause", failure.cause()));
                        }
                        throw failure;
                    } catch (InterruptedException aborted) {
                        if (kind != null) events.event(kind + "Aborted", label, Json.object().put("index", index));
                        throw aborted;
                    } finally {
                        permits.release();
                    }
                }));
            }
            for (int i = 0; i < inputs.size(); i++) {
                try {
                    done.take().get();
                } catch (ExecutionException e) {
                    pool.shutdownNow();
                    if (e.getCause() instanceof TaskFailure failure) throw failure;
                    if (e.getCause() instanceof InterruptedException interrupted) throw interrupted;
                    throw new TaskFailure("States.Runtime", String.valueOf(e.getCause()));
                }
            }
            ArrayNode results = Json.NODES.arrayNode();
            for (Future<JsonNode> future : futures) results.add(future.resultNow());
            return results;
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    // --- Pass, Wait, Choice, Fail

    private Step pass(Definition.Pass pass, JsonNode raw, Instant entered) throws TaskFailure {
        Common io = pass.io();
        ObjectNode context = context(pass.name(), entered, 0);
        JsonNode effective = io.inputPath().apply(raw, context);
        JsonNode result = pass.result().isPresent() ? pass.result().get().deepCopy()
                : io.parameters() == null ? effective : io.parameters().eval(effective, context, options.random());
        return new Step(io.outputPath().apply(io.resultPath().apply(raw, result), context), io.next());
    }

    private Step waitState(Definition.Wait wait, JsonNode raw, Instant entered) throws TaskFailure, InterruptedException {
        ObjectNode context = context(wait.name(), entered, 0);
        JsonNode effective = wait.inputPath().apply(raw, context);
        Duration duration;
        if (wait.seconds().isPresent()) {
            duration = Duration.ofSeconds(wait.seconds().get());
        } else if (wait.secondsPath().isPresent()) {
            JsonNode value = wait.secondsPath().get().read(effective, context);
            if (!value.canConvertToExactIntegral() || value.longValue() < 0) {
                throw new TaskFailure("States.Runtime", "SecondsPath '" + wait.secondsPath().get()
                        + "' must select a non-negative integer, got " + Json.excerpt(value));
            }
            duration = Duration.ofSeconds(value.longValue());
        } else {
            String text;
            if (wait.timestamp().isPresent()) {
                text = wait.timestamp().get();
            } else {
                JsonNode value = wait.timestampPath().orElseThrow().read(effective, context);
                text = value.isTextual() ? value.textValue() : Json.compact(value);
            }
            Instant until = Values.timestamp(text).orElseThrow(() -> new TaskFailure("States.Runtime",
                    "TimestampPath '" + wait.timestampPath().orElseThrow() + "' must select an RFC 3339 timestamp, got '" + text + "'"));
            duration = Duration.between(options.clock().instant(), until);
            if (duration.isNegative()) duration = Duration.ZERO;
        }
        options.sleeper().sleep(duration);
        return new Step(wait.outputPath().apply(effective, context), wait.next());
    }

    private Step choice(Definition.Choice choice, JsonNode raw, Instant entered) throws TaskFailure {
        ObjectNode context = context(choice.name(), entered, 0);
        JsonNode effective = choice.inputPath().apply(raw, context);
        String next = null;
        for (Definition.Rule rule : choice.choices()) {
            if (rule.rule().test(effective, context)) {
                next = rule.next();
                break;
            }
        }
        if (next == null) {
            next = choice.defaultNext().orElseThrow(() -> new TaskFailure("States.NoChoiceMatched",
                    "No Choices matched and no Default in state '" + choice.name() + "'"));
        }
        return new Step(choice.outputPath().apply(effective, context), next);
    }

    private TaskFailure fail(Definition.Fail fail, JsonNode raw, Instant entered) throws TaskFailure {
        ObjectNode context = context(fail.name(), entered, 0);
        String error = fail.error().orElse("");
        String cause = fail.cause().orElse("");
        if (fail.errorPath().isPresent()) error = text(fail.errorPath().get().eval(raw, context, options.random()), "ErrorPath");
        if (fail.causePath().isPresent()) cause = text(fail.causePath().get().eval(raw, context, options.random()), "CausePath");
        return new TaskFailure(error, cause);
    }

    private static String text(JsonNode value, String field) throws TaskFailure {
        if (!value.isTextual()) {
            throw new TaskFailure("States.Runtime", field + " must select a string, got " + Json.excerpt(value));
        }
        return value.textValue();
    }
}
