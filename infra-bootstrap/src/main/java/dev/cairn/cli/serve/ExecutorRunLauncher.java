package dev.cairn.cli.serve;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.cairn.reconciler.launch.RunLauncher;
import dev.cairn.statemachine.Executions;

/**
 * The launcher the webhook and the Slack app use under {@code cairn serve}: one execution of the
 * reconcile definition per run, named by the run's deterministic name, with the input
 * {@code SfnRunLauncher} gives Step Functions ({@code infrastructure}, {@code action},
 * {@code commit}, {@code ref}, {@code trigger}, {@code name}, {@code stages} as {@code "a,b"}).
 * Idempotent by name, like {@code StartExecution}: a known name starts nothing.
 */
final class ExecutorRunLauncher implements RunLauncher {
    private final Executions executions;

    ExecutorRunLauncher(Executions executions) {
        this.executions = executions;
    }

    @Override
    public synchronized Launched launch(RunRequest request) {
        var known = executions.describe(request.name());
        if (known.isPresent()) return new Launched(request.name(), known.get().id(), true);
        var input = JsonNodeFactory.instance.objectNode();
        request.executionInput().forEach(input::put);
        var started = executions.start(request.name(), input);
        return new Launched(request.name(), started.id(), false);
    }

    @Override
    public boolean cancel(String name, String cause) {
        var known = executions.describe(name);
        if (known.isEmpty() || known.get().status() != Executions.Status.RUNNING) return false;
        executions.stop(name, "Cancelled", cause == null ? "cancelled" : cause);
        return true;
    }
}
