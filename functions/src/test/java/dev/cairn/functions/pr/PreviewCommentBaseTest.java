package dev.cairn.functions.pr;

import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.run.Redactor;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which commits a preview comment says it planned: the base branch tip the head was merged into, and the merge base when the branch is behind. */
class PreviewCommentBaseTest {
    static final String TIP = "9b2c4e1f00000000000000000000000000000001";

    static Run run(String trigger) {
        var results = new LinkedHashMap<String, dev.cairn.reconciler.run.StageResult>();
        results.put("network", PreviewCommentTest.planned("network", PreviewCommentTest.creates(1, "terraform_data.vpc")));
        return new Run("20261202T020000Z-p0123456789abcdef", "dev", RunAction.PLAN, RunStatus.SUCCEEDED, trigger, PreviewCommentTest.HEAD,
                Instant.EPOCH, Instant.EPOCH, List.of(), results, null, 3);
    }

    @Test
    void aBranchBehindItsBaseSaysItWasPlannedMergedIntoTheTipAndWhereItBranched() {
        var trigger = Previews.trigger("github", "acme/infra#7", PreviewCommentTest.BASE, "main", TIP);
        var body = PreviewComment.render(run(trigger), "acme/infra#7", PreviewCommentTest.BASE, new Redactor());
        assertThat(body).contains("Base `main` at `9b2c4e1f0000` → head `0d1a26e67d8f` (the branch is behind `main`: planned as merged into it, "
                + "as merging would apply; branched from `6113728f27ae`) · run `20261202T020000Z-p0123456789abcdef`");
        assertThat(PreviewComment.headOf(body)).isEqualTo(PreviewCommentTest.HEAD);
    }

    @Test
    void anUpToDateBranchNamesTheBaseTipOnly() {
        var trigger = Previews.trigger("github", "acme/infra#7", PreviewCommentTest.BASE, "main", PreviewCommentTest.BASE);
        var body = PreviewComment.render(run(trigger), "acme/infra#7", PreviewCommentTest.BASE, new Redactor());
        assertThat(body).contains("Base `main` at `6113728f27ae` → head `0d1a26e67d8f` · run").doesNotContain("behind");
    }

    @Test
    void theTriggerRoundTripsAndAnOlderTriggerWithoutTheTipStillReads() {
        var trigger = Previews.trigger("gitlab", "acme/infra!7", PreviewCommentTest.BASE, "release/2026@q4", TIP);
        assertThat(Previews.isPreview(trigger)).isTrue();
        assertThat(Previews.pullRequest(trigger)).isEqualTo("acme/infra!7");
        assertThat(Previews.mergeBase(trigger)).isEqualTo(PreviewCommentTest.BASE);
        assertThat(Previews.onto(trigger)).contains(new Previews.Onto("release/2026@q4", TIP));
        assertThat(Previews.onto(trigger).orElseThrow().ref()).isEqualTo("refs/heads/release/2026@q4");
        var older = Previews.trigger("github", "acme/infra#7", PreviewCommentTest.BASE);
        assertThat(Previews.isPreview(older)).isTrue();
        assertThat(Previews.onto(older)).isEmpty();
        assertThat(PreviewComment.render(run(older), "acme/infra#7", PreviewCommentTest.BASE, new Redactor()))
                .contains("Base `6113728f27ae` → head `0d1a26e67d8f` · run");
        assertThat(Previews.onto("github:push d-1")).isEmpty();
    }
}
