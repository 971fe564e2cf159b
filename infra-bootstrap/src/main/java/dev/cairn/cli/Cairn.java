package dev.cairn.cli;

import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.reconciler.run.RunRefusedException;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.terraform.TerraformNotFoundException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cairn} command. Exit codes: 0 ok, 1 the run failed (or was not confirmed, or the
 * infrastructure is locked), 2 invalid input or usage.
 */
@Command(name = "cairn", mixinStandardHelpOptions = true, versionProvider = Cairn.Version.class,
        description = "GitOps reconciler for infrastructure repos: one YAML manifest per infrastructure, Terraform stages in a DAG.",
        subcommands = {ValidateCommand.class, GraphCommand.class, PlanCommand.class, ApplyCommand.class,
                DestroyCommand.class, StatusCommand.class, OutputsCommand.class, UnlockCommand.class,
                StageCommand.class, InvokeCommand.class, ServeCommand.class, ApproveCommand.Approve.class,
                ApproveCommand.Reject.class, CommandLine.HelpCommand.class})
public final class Cairn {
    public static final int OK = 0;
    public static final int RUN_FAILED = 1;
    public static final int INVALID = 2;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line; tests and embedders can redirect its output. */
    public static CommandLine commandLine() {
        var cli = new CommandLine(new Cairn()).setExecutionExceptionHandler(Cairn::handle);
        cli.getCommandSpec().exitCodeOnInvalidInput(INVALID);
        return cli;
    }

    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        var err = cmd.getErr();
        switch (e) {
            case InvalidInputException invalid -> {
                invalid.diagnostics().forEach(d -> err.println(d.format()));
                err.println(invalid.diagnostics().size() + " problem" + (invalid.diagnostics().size() == 1 ? "" : "s") + " found; nothing was run.");
                return INVALID;
            }
            case RunRefusedException refused -> {
                err.println("error: " + refused.getMessage());
                return INVALID;
            }
            case TerraformNotFoundException missing -> {
                err.println("error: " + missing.getMessage());
                return INVALID;
            }
            case LockStore.LockedException locked -> {
                err.println("error: " + locked.getMessage() + ".");
                err.println("    hint: wait for that run to finish; if it is gone, run `cairn unlock REPO --infra NAME`");
                return RUN_FAILED;
            }
            default -> {
                err.println("error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                return RUN_FAILED;
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            var v = Cairn.class.getPackage().getImplementationVersion();
            return new String[]{"cairn " + (v == null ? "dev" : v)};
        }
    }
}
