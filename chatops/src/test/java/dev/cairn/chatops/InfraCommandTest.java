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

    @Test
    void planTakesAPullRequestNumber() {
        assertThat(InfraCommand.parse("plan dev --pr 7", KNOWN)).isEqualTo(new InfraCommand(Verb.PLAN, "dev", null, null, null, 7L));
        assertThat(InfraCommand.parse("plan dev --pr=#12", KNOWN).pullRequest()).isEqualTo(12L);
        assertThat(InfraCommand.parse("plan dev --pr !3", KNOWN).pullRequest()).isEqualTo(3L);
        assertThat(InfraCommand.parse("plan dev", KNOWN).pullRequest()).isNull();
        assertThatThrownBy(() -> InfraCommand.parse("plan dev --pr", KNOWN)).hasMessage("missing the pull request number after --pr");
        assertThatThrownBy(() -> InfraCommand.parse("plan dev --pr 0", KNOWN)).hasMessageContaining("`0` is not a pull request number");
        assertThatThrownBy(() -> InfraCommand.parse("destroy dev --pr 7", KNOWN)).hasMessageContaining("only `/infra plan INFRA --pr N`");
        assertThatThrownBy(() -> InfraCommand.parse("plan dev --stage network --pr 7", KNOWN)).hasMessageContaining("do not go together");
    }

    @Test
    void theForgeAndRepositoryComeFromTheRepoUrl() {
        assertThat(PullRequestPreviews.forgeRepository(java.util.Map.of(), "https://github.com/acme/infra.git"))
                .isEqualTo(new PullRequestPreviews.ForgeRepository("github", "acme/infra"));
        assertThat(PullRequestPreviews.forgeRepository(java.util.Map.of(), "https://gitlab.com/acme/platform/infra.git"))
                .isEqualTo(new PullRequestPreviews.ForgeRepository("gitlab", "acme/platform/infra"));
        assertThat(PullRequestPreviews.forgeRepository(java.util.Map.of("CAIRN_GITHUB_API_URL", "https://ghe.example.com/api/v3"),
                "https://ghe.example.com/acme/infra")).isEqualTo(new PullRequestPreviews.ForgeRepository("github", "acme/infra"));
        assertThat(PullRequestPreviews.forgeRepository(java.util.Map.of("CAIRN_GITLAB_API_URL", "https://git.example.com/api/v4"),
                "https://git.example.com/group/infra.git")).isEqualTo(new PullRequestPreviews.ForgeRepository("gitlab", "group/infra"));
        assertThat(PullRequestPreviews.forgeRepository(java.util.Map.of("CAIRN_FORGE_REPOSITORY", "gitlab:acme/infra"), "file:///tmp/x"))
                .isEqualTo(new PullRequestPreviews.ForgeRepository("gitlab", "acme/infra"));
        assertThatThrownBy(() -> PullRequestPreviews.forgeRepository(java.util.Map.of(), "https://git.example.com/acme/infra"))
                .hasMessageContaining("cannot tell which forge hosts CAIRN_REPO_URL (git.example.com)").hasMessageContaining("CAIRN_FORGE_REPOSITORY");
        assertThatThrownBy(() -> PullRequestPreviews.forgeRepository(java.util.Map.of("CAIRN_FORGE_REPOSITORY", "bitbucket:a/b"), "file:///tmp/x"))
                .hasMessage("CAIRN_FORGE_REPOSITORY must be github:OWNER/NAME or gitlab:GROUP/PROJECT");
        assertThatThrownBy(() -> PullRequestPreviews.forgeRepository(java.util.Map.of(), "https://github.com/acme"))
                .hasMessageContaining("not a OWNER/NAME repository");
    }
}
