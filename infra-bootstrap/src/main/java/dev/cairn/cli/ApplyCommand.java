package dev.cairn.cli;

import dev.cairn.reconciler.run.RunAction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "apply", description = "Plan, show the plan, ask, then apply every stage in DAG order (independent stages in parallel).")
final class ApplyCommand extends RunCommand {
    @Option(names = {"-y", "--yes"}, description = "Apply without asking.")
    boolean yes;

    @Override
    RunAction action() {
        return RunAction.APPLY;
    }

    @Override
    boolean autoApprove() {
        return yes;
    }
}
