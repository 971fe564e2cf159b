package dev.cairn.cli;

import dev.cairn.reconciler.run.RunAction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "destroy", description = "Destroy every stage of an infrastructure, in reverse DAG order.")
final class DestroyCommand extends RunCommand {
    @Option(names = {"-y", "--yes"}, description = "Destroy without asking.")
    boolean yes;

    @Override
    RunAction action() {
        return RunAction.DESTROY;
    }

    @Override
    boolean autoApprove() {
        return yes;
    }
}
