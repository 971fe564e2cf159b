package dev.cairn.cli;

import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.reconciler.run.RunRefusedException;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.terraform.TerraformNotFoundException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code cairn} command. Exit codes: 0 ok, 1 the run failed (or was not confirmed, or the
 * infrastructure is locked), 2 invalid input or usage.
 */
@Command(name = "cairn", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, versionProvider = Cairn.Version.class,
        description = "GitOps reconciler for infrastructure repos: one YAML manifest per infrastructure, Terraform stages in a DAG.")
public final class Cairn {
    public static final int OK = 0;
    public static final int RUN_FAILED = 1;
    public static final int INVALID = 2;

    /** The subcommands in the order help lists them. */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private static Map<String, Supplier<Object>> subcommands() {
        var all = new LinkedHashMap<String, Supplier<Object>>();
        all.put("validate", ValidateCommand::new);
        all.put("graph", GraphCommand::new);
        all.put("plan", PlanCommand::new);
        all.put("apply", ApplyCommand::new);
        all.put("destroy", DestroyCommand::new);
        all.put("status", StatusCommand::new);
        all.put("outputs", OutputsCommand::new);
        all.put("unlock", UnlockCommand::new);
        all.put("stage", StageCommand::new);
        all.put("invoke", InvokeCommand::new);
        all.put("serve", ServeCommand::new);
        all.put("approve", ApproveCommand.Approve::new);
        all.put("reject", ApproveCommand.Reject::new);
        all.put("help", CommandLine.HelpCommand::new);
        return Collections.unmodifiableMap(all);
    }

    public static void main(String[] args) {
        Warmup.start(args);
        System.exit(commandLine(args).execute(args));
    }

    public static int run(String... args) {
        return commandLine(args).execute(args);
    }

    /** The configured command line with every subcommand; tests and embedders can redirect its output. */
    public static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The command line for {@code args}: when they name a subcommand, that one only (picocli reads
     * every option of every registered command at start-up, a tenth of a second for all of them);
     * otherwise (help, a usage error) every subcommand, so help and suggestions list them all.
     */
    static CommandLine commandLine(String[] args) {
        var cli = new CommandLine(new Cairn()).setExecutionExceptionHandler(Cairn::handle);
        var named = args.length > 0 && !"help".equals(args[0]) ? SUBCOMMANDS.get(args[0]) : null;
        if (named != null) {
            cli.addSubcommand(args[0], named.get());
        } else {
            SUBCOMMANDS.forEach((name, command) -> cli.addSubcommand(name, command.get()));
        }
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
