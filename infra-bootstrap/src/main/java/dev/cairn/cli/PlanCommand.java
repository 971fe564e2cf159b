package dev.cairn.cli;

import dev.cairn.reconciler.run.RunAction;
import picocli.CommandLine.Command;

@Command(name = "plan", description = "Plan every stage of an infrastructure in DAG order; change nothing.")
final class PlanCommand extends RunCommand {
    @Override
    RunAction action() {
        return RunAction.PLAN;
    }
}
