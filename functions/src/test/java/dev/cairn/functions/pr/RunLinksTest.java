package dev.cairn.functions.pr;

import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The run URL of the preview comments: the template's placeholders URL-encoded, else the console page of an AWS execution, else none. */
class RunLinksTest {
    static final String ARN = "arn:aws:states:eu-central-1:123456789012:execution:cairn-reconcile:dev-plan-0d1a26e67d8f";

    static Run run(String infrastructure, String id, String executionArn) {
        return new Run(id, infrastructure, RunAction.PLAN, RunStatus.SUCCEEDED, "github:preview acme/infra#7 base abc", "abc",
                Instant.EPOCH, Instant.EPOCH, List.of(), new LinkedHashMap<>(), null, 1, executionArn);
    }

    @Test
    void theTemplateGetsTheInfrastructureAndTheRunUrlEncoded() {
        var links = RunLinks.fromEnv(Map.of(RunLinks.RUN_URL, " https://ci.example.com/cairn/{infrastructure}/runs/{run}?from=pr "));
        assertThat(links.of(run("dev", "20261202T020000Z-p0123", ARN))).contains("https://ci.example.com/cairn/dev/runs/20261202T020000Z-p0123?from=pr");
        // a value that is not URL-safe (a name a store would refuse, but the template never trusts it) is encoded, never passed raw
        assertThat(links.of(run("a b/..", "x&y=#1", null))).contains("https://ci.example.com/cairn/a%20b%2F../runs/x%26y%3D%231?from=pr");
    }

    @Test
    void aTemplateWinsOverTheConsole() {
        assertThat(new RunLinks("http://127.0.0.1:8080/runs/{infrastructure}/{run}").of(run("dev", "r1", ARN))).contains("http://127.0.0.1:8080/runs/dev/r1");
    }

    @Test
    void withoutATemplateAnAwsExecutionLinksItsConsolePage() {
        assertThat(RunLinks.fromEnv(Map.of(RunLinks.RUN_URL, "  ")).of(run("dev", "r1", ARN)))
                .contains("https://eu-central-1.console.aws.amazon.com/states/home?region=eu-central-1#/v2/executions/details/" + ARN);
    }

    @Test
    void withoutATemplateARunOfNoAwsExecutionHasNoLink() {
        assertThat(RunLinks.CONSOLE.of(run("dev", "r1", null))).isEmpty();
        assertThat(RunLinks.CONSOLE.of(run("dev", "r1", "arn:aws:states:local:000000000000:execution:cairn-local-reconcile:dev-plan"))).isEmpty();
        assertThat(RunLinks.CONSOLE.of(run("dev", "r1", "arn:aws-cn:states:cn-north-1:123456789012:execution:m:n"))).isEmpty();
        assertThat(RunLinks.CONSOLE.of(run("dev", "r1", "arn:aws:states:eu-west-1:123456789012:stateMachine:cairn-reconcile"))).isEmpty();
        assertThat(RunLinks.CONSOLE.of(run("dev", "r1", "not an arn"))).isEmpty();
    }

    static Run preview(String trigger) {
        return new Run("20261202T020000Z-p0123", "dev", RunAction.PLAN, RunStatus.SUCCEEDED, trigger, "abc",
                Instant.EPOCH, Instant.EPOCH, List.of(), new LinkedHashMap<>(), null, 1, ARN);
    }

    @Test
    void aPreviewsPullRequestPageFollowsFromItsLabelAndTheForgesApiBase() {
        var sha = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
        var github = preview(dev.cairn.reconciler.preview.Previews.trigger("github", "acme/infra#7", sha, "main", sha));
        var gitlab = preview(dev.cairn.reconciler.preview.Previews.trigger("gitlab", "acme/platform/infra!12", sha, "main", sha));
        assertThat(RunLinks.pullRequest(Map.of(), github)).contains("https://github.com/acme/infra/pull/7");
        assertThat(RunLinks.pullRequest(Map.of(PreviewWiring.GITHUB_API_URL, "https://api.github.com/"), github)).contains("https://github.com/acme/infra/pull/7");
        assertThat(RunLinks.pullRequest(Map.of(PreviewWiring.GITHUB_API_URL, "https://ghe.example.com/api/v3"), github))
                .contains("https://ghe.example.com/acme/infra/pull/7");
        assertThat(RunLinks.pullRequest(Map.of(), gitlab)).contains("https://gitlab.com/acme/platform/infra/-/merge_requests/12");
        assertThat(RunLinks.pullRequest(Map.of(PreviewWiring.GITLAB_API_URL, "https://git.example.com/api/v4/"), gitlab))
                .contains("https://git.example.com/acme/platform/infra/-/merge_requests/12");
        assertThat(RunLinks.pullRequest(Map.of(), run("dev", "r1", ARN))).as("not a preview").isEmpty();
        assertThat(RunLinks.pullRequest(Map.of(), preview("github:push d-1"))).isEmpty();
    }
}
