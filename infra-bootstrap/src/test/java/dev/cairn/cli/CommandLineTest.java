package dev.cairn.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line registers only the subcommand it is asked for (start-up time), and help,
 * usage errors and suggestions still see every subcommand.
 */
class CommandLineTest {
    record Result(int exit, String out, String err) {
    }

    static Result cairn(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Cairn.commandLine(args);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void aNamedSubcommandIsTheOnlyOneBuilt() {
        assertThat(Cairn.commandLine(new String[]{"apply", "repo", "--infra", "dev"}).getSubcommands()).containsOnlyKeys("apply");
        assertThat(Cairn.commandLine(new String[]{"approve"}).getSubcommands()).containsOnlyKeys("approve");
    }

    @Test
    void helpAndNoArgumentsListEverySubcommand() {
        var all = new String[]{"validate", "graph", "plan", "apply", "destroy", "status", "outputs", "unlock", "stage", "invoke",
                "serve", "approve", "reject", "help"};
        assertThat(Cairn.commandLine(new String[0]).getSubcommands()).containsOnlyKeys(all);
        var help = cairn("--help");
        assertThat(help.exit()).isZero();
        for (var name : all) assertThat(help.out()).contains(name);
        var helpApply = cairn("help", "apply");
        assertThat(helpApply.exit()).isZero();
        assertThat(helpApply.out()).contains("Usage: cairn apply").contains("--infra");
    }

    @Test
    void aSubcommandsOwnHelpWorksWithOnlyItBuilt() {
        var result = cairn("plan", "--help");
        assertThat(result.exit()).isZero();
        assertThat(result.out()).contains("Usage: cairn plan").contains("--parallelism");
    }

    @Test
    void aMistypedSubcommandIsAUsageErrorWithASuggestion() {
        var result = cairn("aply", "repo");
        assertThat(result.exit()).isEqualTo(Cairn.INVALID);
        assertThat(result.err()).contains("aply").contains("apply");
    }
}
