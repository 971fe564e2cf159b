package dev.cairn.chatops;

import dev.cairn.chatops.InfraCommand.Verb;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InfraCommandTest {
    static final List<String> KNOWN = List.of("dev", "staging", "prod");

    @Test
    void theGrammarParsesEveryVerb() {
        assertThat(InfraCommand.parse("apply prod --stage network", KNOWN)).isEqualTo(new InfraCommand(Verb.APPLY, "prod", null, "network", null));
        assertThat(InfraCommand.parse("  plan   dev --stage=addons ", KNOWN)).isEqualTo(new InfraCommand(Verb.PLAN, "dev", null, "addons", null));
        assertThat(InfraCommand.parse("status", KNOWN)).isEqualTo(new InfraCommand(Verb.STATUS, null, null, null, null));
        assertThat(InfraCommand.parse("STATUS prod", KNOWN).infrastructure()).isEqualTo("prod");
        assertThat(InfraCommand.parse("reject prod/20261201-abc network \"wrong subnet\" today", KNOWN))
                .isEqualTo(new InfraCommand(Verb.REJECT, "prod", "20261201-abc", "network", "wrong subnet today"));
        assertThat(InfraCommand.parse("approve prod/r1", KNOWN)).isEqualTo(new InfraCommand(Verb.APPROVE, "prod", "r1", null, null));
        assertThat(InfraCommand.parse("", KNOWN).verb()).isEqualTo(Verb.HELP);
        assertThat(InfraCommand.parse("unlock staging", KNOWN).verb()).isEqualTo(Verb.UNLOCK);
    }

    @Test
    void mistakesGetADidYouMean() {
        assertThatThrownBy(() -> InfraCommand.parse("aply prod", KNOWN)).hasMessage("unknown command `aply`; did you mean `apply`?");
        assertThatThrownBy(() -> InfraCommand.parse("apply prdo", KNOWN)).hasMessageStartingWith("no infrastructure `prdo`; did you mean `prod`?");
        assertThatThrownBy(() -> InfraCommand.parse("plan prod --stag network", KNOWN)).hasMessageContaining("did you mean `--stage`?");
        assertThatThrownBy(() -> InfraCommand.parse("apply", KNOWN)).hasMessage("missing INFRA");
        assertThatThrownBy(() -> InfraCommand.parse("history prod extra", KNOWN)).hasMessageContaining("unexpected `extra`");
        assertThatThrownBy(() -> InfraCommand.parse("approve prod", KNOWN)).hasMessageContaining("INFRA/RUN_ID");
        assertThatThrownBy(() -> InfraCommand.parse("plan \"prod", KNOWN)).hasMessageContaining("quote");
    }
}
