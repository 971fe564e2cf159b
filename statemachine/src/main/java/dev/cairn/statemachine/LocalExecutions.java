package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * {@link Executions} on local virtual threads. Every Task resource of the machine must have an
 * integration, checked here (not at the first run).
 */
public final class LocalExecutions implements Executions {
    private static final Logger LOG = LoggerFactory.getLogger(LocalExecutions.class);
    /** Step Functions execution names: 1-80 characters, none of whitespace, brackets, wildcards or these specials. */
    private static final Pattern NAME = Pattern.compile("[^\\s<>{}\\[\\]?*\"#%\\\\^|~`$&,;:/\\p{Cntrl}]{1,80}");

    private final StateMachine machine;
    private final Map<String, TaskIntegration> integrations;
    private final Listener listener;
    private final ExecutionOptions options;
    private final LocalTaskTokens tokens = new LocalTaskTokens();
    private final ExecutorService taskThreads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("asl-task-", 0).factory());
    private final Map<String, Run> runs = new LinkedHashMap<>();
    private boolean closed;

    /**
     * @param integrations by Resource, suffix included ({@code arn:aws:states:::lambda:invoke.waitForTaskToken})
     * @throws IllegalArgumentException naming each Task state whose resource has no integration
     */
    public LocalExecutions(StateMachine machine, Map<String, TaskIntegration> integrations, Listener listener, ExecutionOptions options) {
        this.machine = machine;
        this.integrations = Map.copyOf(integrations);
        this.listener = listener;
        this.options = options;
        Map<String, String> missing = new TreeMap<>();
        machine.taskResources().forEach((state, resource) -> {
            if (!integrations.containsKey(resource)) missing.put(state, resource);
        });
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(machine.source() + ": no integration for the Resource of "
                    + String.join(", ", missing.entrySet().stream().map(e -> "state " + e.getKey() + " (" + e.getValue() + ")").toList())
                    + "; registered: " + new TreeMap<>(integrations).keySet());
        }
    }

    public String machineArn() {
        return "arn:aws:states:local:000000000000:stateMachine:" + options.machineName();
    }

    public String executionArn(String name) {
        return "arn:aws:states:local:000000000000:execution:" + options.machineName() + ":" + name;
    }

    @Override
    public Execution start(String name, JsonNode input) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("InvalidName: an execution name is 1-80 characters without whitespace,"
                    + " brackets, wildcards or any of \" # % \\ ^ | ~ ` $ & , ; : /, got '" + name + "'");
        }
        JsonNode in = input == null ? Json.object() : input.deepCopy();
        Run run;
        synchronized (runs) {
            if (closed) throw new IllegalStateException("the executor is closed");
            Run existing = runs.get(name);
            if (existing != null) return existing.describe();
            run = new Run(name, in, options.clock().instant());
            runs.put(name, run);
        }
        run.begin();
        return run.describe();
    }

    @Override
    public Optional<Execution> describe(String name) {
        return find(name).map(Run::describe);
    }

    @Override
    public List<HistoryEvent> history(String name) {
        Run run = find(name).orElseThrow(() -> unknown(name));
        synchronized (run) {
            return List.copyOf(run.history);
        }
    }

    @Override
    public Execution await(String name, Duration timeout) throws InterruptedException {
        Run run = find(name).orElseThrow(() -> unknown(name));
        try {
            run.done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException stillRunning) {
            // the description says RUNNING
        }
        return run.describe();
    }

    @Override
    public void stop(String name, String error, String cause) {
        find(name).orElseThrow(() -> unknown(name)).abort(error, cause, false);
    }

    @Override
    public TaskTokens tokens() {
        return tokens;
    }

    @Override
    public List<Execution> list() {
        synchronized (runs) {
            return runs.values().stream().map(Run::describe).toList();
        }
    }

    @Override
    public void close() {
        List<Run> all;
        synchronized (runs) {
            closed = true;
            all = new ArrayList<>(runs.values());
        }
        for (Run run : all) run.abort("States.Aborted", "shutdown", false);
        for (Run run : all) {
            try {
                run.done.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("execution {} did not stop within 30 s", run.name);
            }
        }
        taskThreads.shutdownNow();
    }

    private Optional<Run> find(String name) {
        synchronized (runs) {
            return Optional.ofNullable(runs.get(name));
        }
    }

    private static IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException("ExecutionDoesNotExist: no execution named '" + name + "'");
    }

    /** One execution: its thread, status and history. */
    private final class Run {
        final String name;
        final String id;
        final JsonNode input;
        final Instant started;
        final List<HistoryEvent> history = new ArrayList<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        Status status = Status.RUNNING;
        JsonNode output;
        String error;
        String cause;
        Instant stopped;
        Thread thread;
        Thread timer;
        boolean abortRequested;
        boolean timedOut;

        Run(String name, JsonNode input, Instant started) {
            this.name = name;
            this.id = executionArn(name);
            this.input = input;
            this.started = started;
        }

        synchronized Execution describe() {
            return new Execution(id, name, status, input, Optional.ofNullable(output),
                    Optional.ofNullable(error).filter(e -> !e.isEmpty()), Optional.ofNullable(cause).filter(c -> !c.isEmpty()),
                    started, Optional.ofNullable(stopped));
        }

        void begin() {
            ObjectNode context = Json.object();
            ObjectNode execution = context.putObject("Execution");
            execution.put("Id", id).put("Name", name).put("StartTime", Interpreter.timestamp(started))
                    .put("RoleArn", "arn:aws:iam::000000000000:role/cairn-local").put("RedriveCount", 0);
            execution.set("Input", input);
            context.putObject("StateMachine").put("Id", machineArn()).put("Name", options.machineName());
            Interpreter interpreter = new Interpreter(integrations, tokens, options, context, taskThreads, this::event);
            synchronized (this) {
                thread = Thread.ofVirtual().name("asl-execution-" + name).unstarted(() -> execute(interpreter));
                if (machine.timeoutSeconds().isPresent()) {
                    Duration limit = Duration.ofSeconds(machine.timeoutSeconds().get());
                    timer = Thread.ofVirtual().name("asl-timeout-" + name).unstarted(() -> {
                        try {
                            Thread.sleep(limit);
                            abort("States.Timeout", "The execution ran longer than TimeoutSeconds (" + limit.toSeconds() + " s)", true);
                        } catch (InterruptedException finished) {
                            // the execution ended first
                        }
                    });
                }
            }
            event("ExecutionStarted", "", Json.object().<ObjectNode>set("input", input).put("name", name));
            thread.start();
            if (timer != null) timer.start();
        }

        private void execute(Interpreter interpreter) {
            try {
                synchronized (this) {
                    if (abortRequested) throw new InterruptedException("stopped before it began");
                }
                JsonNode result = interpreter.run(machine.main(), input, "");
                end(Status.SUCCEEDED, result, null, null);
            } catch (TaskFailure failure) {
                end(Status.FAILED, null, failure.error(), failure.cause());
            } catch (InterruptedException aborted) {
                end(Status.ABORTED, null, null, null);
            } catch (RuntimeException bug) {
                LOG.error("execution {} failed inside the executor", name, bug);
                end(Status.FAILED, null, "States.Runtime", "the local executor failed: " + bug);
            } finally {
                if (timer != null) timer.interrupt();
                done.complete(null);
            }
        }

        void abort(String abortError, String abortCause, boolean timeout) {
            Thread running;
            synchronized (this) {
                if (status != Status.RUNNING || abortRequested) return;
                abortRequested = true;
                timedOut = timeout;
                error = abortError;
                cause = abortCause;
                running = thread;
            }
            if (running != null) running.interrupt(); // else execute() sees abortRequested first
        }

        private void end(Status result, JsonNode out, String failError, String failCause) {
            String type;
            ObjectNode detail = Json.object();
            synchronized (this) {
                if (abortRequested) {
                    status = timedOut ? Status.TIMED_OUT : Status.ABORTED;
                } else {
                    status = result;
                    output = out;
                    error = failError;
                    cause = failCause;
                }
                stopped = options.clock().instant();
                type = switch (status) {
                    case SUCCEEDED -> "ExecutionSucceeded";
                    case FAILED -> "ExecutionFailed";
                    case TIMED_OUT -> "ExecutionTimedOut";
                    case ABORTED -> "ExecutionAborted";
                    case RUNNING -> throw new IllegalStateException();
                };
                if (output != null) detail.set("output", output);
                if (error != null) detail.put("error", error);
                if (cause != null) detail.put("cause", cause);
            }
            event(type, "", detail);
        }

        private void event(String type, String state, JsonNode detail) {
            HistoryEvent event;
            synchronized (this) {
                event = new HistoryEvent(history.size() + 1, options.clock().instant(), type, state, Optional.ofNullable(detail));
                history.add(event);
            }
            try {
                listener.event(describe(), event);
            } catch (RuntimeException e) {
                LOG.warn("history listener failed on {} of {}: {}", type, name, e.toString());
            }
        }
    }
}
