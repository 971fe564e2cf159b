package dev.cairn.functions.pr;

import dev.cairn.reconciler.store.ThreadStore;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** What both stores behind {@link MergeLinks} (local files, DynamoDB) must do: each half written once, read back whole. */
abstract class MergeLinksContract {
    static final String MERGE = "d6cf67ae5f0470ea3fb11ba61e1257dea3dd3412";

    protected abstract ThreadStore newStore();

    @Test
    void aLinkIsReadBackWholeAndTheFirstWriteWins() {
        var links = new MergeLinks(newStore());
        assertThat(links.link("dev", MERGE)).isEmpty();
        links.link("dev", MERGE, new MergeLinks.Link("github", "acme/infra", 7, 4242L), Instant.now());
        links.link("dev", MERGE, new MergeLinks.Link("github", "acme/infra", 8, 1L), Instant.now());
        assertThat(links.link("dev", MERGE)).contains(new MergeLinks.Link("github", "acme/infra", 7, 4242L));
        assertThat(links.link("prod", MERGE)).as("per infrastructure").isEmpty();
        assertThat(links.link("dev", MERGE.replace('d', 'e'))).as("per merge commit").isEmpty();
    }

    @Test
    void theOutcomeIsKeptBesideTheLinkAndTheFirstWriteWins() {
        var links = new MergeLinks(newStore());
        assertThat(links.applied("dev", MERGE)).isEmpty();
        links.applied("dev", MERGE, "SUCCEEDED|r-1|network=+0~1-0", Instant.now());
        links.applied("dev", MERGE, "FAILED|r-2|network=failed", Instant.now());
        assertThat(links.applied("dev", MERGE)).contains("SUCCEEDED|r-1|network=+0~1-0");
        assertThat(links.link("dev", MERGE)).as("the outcome is not a link").isEmpty();
    }

    @Test
    void theLinksDoNotTouchTheRunThreadsOfTheSameInfrastructure() {
        var store = newStore();
        store.create(new ThreadStore.RunThread("dev", "r-1", "C0", "1.1", -1, Instant.now(), Instant.now().plusSeconds(60)));
        new MergeLinks(store).link("dev", MERGE, new MergeLinks.Link("gitlab", "acme/infra", 7, 100L), Instant.now());
        assertThat(store.get("dev", "r-1")).hasValueSatisfying(t -> assertThat(t.channel()).isEqualTo("C0"));
        assertThat(new MergeLinks(store).link("dev", MERGE)).contains(new MergeLinks.Link("gitlab", "acme/infra", 7, 100L));
    }
}
