package dev.cairn.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.functions.pr.PullRequestFlow;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.store.AuditLog;
import org.eclipse.jgit.transport.RefSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static dev.cairn.functions.GitWebhookFunctionTest.body;
import static dev.cairn.functions.WebhookScenarios.list;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pull/merge request events through the webhook's public constructor (local wiring: stores under
 * CAIRN_STATE_DIR, runs recorded in its queue) against a real {@code file://} repository made with
 * JGit, whose PR heads are pushed to {@code refs/pull/N/head} / {@code refs/merge-requests/N/head}
 * as the forges keep them. Every event is the checked-in one, edited and signed again.
 */
class PullRequestWebhookIT {
    @TempDir
    Path tmp;
    TestRepo repo;
    Path state;
    GitWebhookFunction function;
    String base;

    @BeforeEach
    void setUp() {
        repo = TestRepo.twoInfrastructures(tmp.resolve("repo"));
        base = repo.head();
        state = tmp.resolve("state");
        function = new GitWebhookFunction(Map.of("CAIRN_STATE_DIR", state.toString(),
                "CAIRN_GITHUB_WEBHOOK_SECRET", TestEvents.SECRET, "CAIRN_GITLAB_WEBHOOK_TOKEN", TestEvents.SECRET,
                "CAIRN_GIT_CACHE_DIR", tmp.resolve("git-cache").toString()));
    }

    @AfterEach
    void tearDown() {
        repo.close();
    }

    /** A branch off main that changes dev, pushed as branch {@code feature} and as the forge's PR ref. */
    String prChangingDev(String ref, String cidr) {
        repo.checkout("feature", !branchExists("feature"));
        var head = repo.write("infrastructures/dev.yaml", TestRepo.manifest("dev", cidr)).commitAndPush("feature", "dev: " + cidr);
        pushRef("refs/heads/feature", ref);
        return head;
    }

    boolean branchExists(String name) {
        try {
            return repo.git.getRepository().findRef("refs/heads/" + name) != null;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    void pushRef(String local, String remote) {
        try {
            repo.git.push().setRemote(repo.url()).setForce(true).setRefSpecs(new RefSpec("+" + local + ":" + remote)).call();
        } catch (org.eclipse.jgit.api.errors.GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    APIGatewayV2HTTPEvent github(String action, String baseSha, String headSha, String delivery, Consumer<ObjectNode> more) {
        var event = TestEvents.edited("github-pull-request.json", b -> {
            b.put("action", action);
            var pr = (ObjectNode) b.get("pull_request");
            ((ObjectNode) pr.get("base")).put("sha", baseSha);
            ((ObjectNode) pr.get("head")).put("sha", headSha);
            ((ObjectNode) b.get("repository")).put("clone_url", repo.url());
            ((ObjectNode) pr.get("base").get("repo")).put("clone_url", repo.url());
            ((ObjectNode) pr.get("head").get("repo")).put("clone_url", repo.url());
            more.accept(b);
        });
        return TestEvents.withHeader(event, "x-github-delivery", delivery);
    }

    APIGatewayV2HTTPEvent github(String action, String headSha, String delivery) {
        return github(action, base, headSha, delivery, b -> {
        });
    }

    APIGatewayV2HTTPEvent gitlab(String action, String headSha, String delivery, Consumer<ObjectNode> more) {
        var event = TestEvents.edited("gitlab-merge-request.json", b -> {
            var attributes = (ObjectNode) b.get("object_attributes");
            attributes.put("action", action);
            ((ObjectNode) attributes.get("last_commit")).put("id", headSha);
            ((ObjectNode) attributes.get("target")).put("git_http_url", repo.url());
            ((ObjectNode) b.get("project")).put("git_http_url", repo.url());
            more.accept(b);
        });
        return TestEvents.withHeader(event, "x-gitlab-event-uuid", delivery);
    }

    APIGatewayV2HTTPResponse deliver(APIGatewayV2HTTPEvent event) {
        return function.handleRequest(event, null);
    }

    List<JsonNode> queued() throws Exception {
        var queue = state.resolve("queue");
        if (!Files.isDirectory(queue)) return List.of();
        try (var files = Files.list(queue)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().map(f -> {
                try {
                    return TestEvents.JSON.readTree(f.toFile());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }

    AuditLog audit() {
        return new Workspace(state).audit();
    }

    @Test
    void anOpenedPrChangingDevDeliveredTenTimesStartsOnePreviewOfDevOnly() throws Exception {
        var head = prChangingDev("refs/pull/7/head", "10.7.0.0/16");
        var event = github("opened", head, "9a000000-0000-4000-8000-000000000001");

        var first = deliver(event);
        assertThat(first.getStatusCode()).as(first.getBody()).isEqualTo(202);
        var body = body(first);
        assertThat(body).containsEntry("outcome", "started").containsEntry("commit", head).containsEntry("mergeBase", base);
        assertThat(list(body, "started")).singleElement().satisfies(s -> assertThat(s)
                .containsEntry("infrastructure", "dev").containsEntry("alreadyStarted", false));
        assertThat(body.get("unchanged")).isEqualTo(List.of("prod"));
        for (int i = 0; i < 9; i++) {
            var again = deliver(event);
            assertThat(again.getStatusCode()).isEqualTo(200);
            assertThat(body(again)).containsEntry("outcome", "duplicate");
        }
        assertThat(queued()).singleElement().satisfies(run -> {
            assertThat(run.path("infrastructure").asText()).isEqualTo("dev");
            assertThat(run.path("action").asText()).isEqualTo("PLAN");
            assertThat(run.path("commit").asText()).isEqualTo(head);
            assertThat(run.path("ref").asText()).isEqualTo("refs/pull/7/head");
            assertThat(run.path("trigger").asText()).isEqualTo("github:preview acme/infra#7 base " + base + " onto main@" + base);
        });

        // the same head under another delivery id (a reopen, a replay) maps to the preview already started
        var replay = deliver(github("reopened", head, "9a000000-0000-4000-8000-000000000002"));
        assertThat(list(body(replay), "started")).singleElement().satisfies(s -> assertThat(s).containsEntry("alreadyStarted", true));
        assertThat(queued()).hasSize(1);
        assertThat(audit().list("dev", 10)).extracting(AuditLog.Entry::outcome).containsExactly("started", "started");
        assertThat(audit().list("dev", 10)).allSatisfy(e -> assertThat(e.action()).isEqualTo("pull_request"));
    }

    @Test
    void aSynchronizeToANewHeadStartsAnotherPreviewNamedByTheHead() throws Exception {
        var first = prChangingDev("refs/pull/7/head", "10.7.0.0/16");
        deliver(github("opened", first, "9a000000-0000-4000-8000-000000000011"));
        var second = prChangingDev("refs/pull/7/head", "10.77.0.0/16");
        var response = deliver(github("synchronize", base, second, "9a000000-0000-4000-8000-000000000012", b -> b.put("before", first).put("after", second)));
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(202);
        assertThat(queued()).extracting(r -> r.path("commit").asText()).containsExactlyInAnyOrder(first, second);
        // the first head's preview, not started yet, is superseded: cancelled with the reason
        assertThat(list(body(response), "started")).hasSize(1);
        assertThat((List<?>) body(response).get("superseded")).hasSize(1);
        assertThat(queued()).filteredOn(r -> r.path("commit").asText().equals(first)).singleElement().satisfies(r -> {
            assertThat(r.path("status").asText()).isEqualTo("cancelled");
            assertThat(r.path("note").asText()).contains("superseded by head " + second);
        });
        assertThat(queued()).filteredOn(r -> r.path("commit").asText().equals(second)).singleElement()
                .satisfies(r -> assertThat(r.path("status").asText()).isEqualTo("recorded"));
        assertThat(list(body(response), "started")).singleElement().satisfies(s -> assertThat(s.get("execution")).isNotEqualTo(
                list(body(deliver(github("opened", first, "9a000000-0000-4000-8000-000000000013"))), "started").getFirst().get("execution")));
    }

    @Test
    void changesAreThoseOfThePrSinceItsMergeBaseNotWhatTheBaseGainedSince() throws Exception {
        var head = prChangingDev("refs/pull/7/head", "10.7.0.0/16");
        // main moves on after the branch: prod changes there, not in the PR
        repo.checkout("main", false);
        var newBase = repo.write("infrastructures/prod.yaml", TestRepo.manifest("prod", "10.100.0.0/16")).commitAndPush("main", "prod: cidr");

        var response = deliver(github("opened", newBase, head, "9a000000-0000-4000-8000-000000000021", b -> {
        }));
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(202);
        var body = body(response);
        assertThat(body).containsEntry("base", newBase).containsEntry("mergeBase", base);
        assertThat(list(body, "started")).extracting(s -> s.get("infrastructure")).containsExactly("dev");
        assertThat(body.get("unchanged")).isEqualTo(List.of("prod"));
        // what changed is counted from the merge base; what is planned is the head merged into the new tip
        assertThat(queued()).singleElement().satisfies(r -> assertThat(r.path("trigger").asText())
                .isEqualTo("github:preview acme/infra#7 base " + base + " onto main@" + newBase));
    }

    @Test
    void aPrChangingNoInfrastructureStartsNothing() throws Exception {
        repo.checkout("feature", true);
        var head = repo.write("README.md", "docs only\n").commitAndPush("feature", "docs");
        pushRef("refs/heads/feature", "refs/pull/8/head");
        var response = deliver(github("opened", base, head, "9a000000-0000-4000-8000-000000000031", b -> {
            b.put("number", 8);
            ((ObjectNode) b.get("pull_request")).put("number", 8);
        }));
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        assertThat(body(response)).containsEntry("outcome", "nothing-started");
        assertThat(queued()).isEmpty();
    }

    @Test
    void aForkPrGetsNoPreviewUnlessTheBaseAllowsItAndAPrCannotAllowItself() throws Exception {
        // the fork's PR also sets previews.forks: it is read at the base, so it does not count
        repo.checkout("feature", true).write("cairn.yaml", TestRepo.CONFIG + "previews: { forks: true }\n");
        var head = prChangingDev("refs/pull/9/head", "10.9.0.0/16");
        Consumer<ObjectNode> fromFork = b -> {
            b.put("number", 9);
            var pr = (ObjectNode) b.get("pull_request");
            pr.put("number", 9);
            ((ObjectNode) pr.get("head").get("repo")).put("full_name", "mallory/infra").put("fork", true);
        };
        var refused = deliver(github("opened", base, head, "9a000000-0000-4000-8000-000000000041", fromFork));
        assertThat(refused.getStatusCode()).as(refused.getBody()).isEqualTo(202);
        assertThat(body(refused)).containsEntry("outcome", "fork-refused");
        assertThat((String) body(refused).get("message")).contains("mallory/infra").contains("previews: {forks: true}");
        assertThat(queued()).isEmpty();
        assertThat(audit().list("-", 5)).extracting(AuditLog.Entry::outcome).contains("refused");

        // the tracked branch allows forks: the same PR is previewed
        repo.checkout("main", false);
        var allowing = repo.write("cairn.yaml", TestRepo.CONFIG + "previews: { forks: true }\n").commitAndPush("main", "allow fork previews");
        var allowed = deliver(github("synchronize", allowing, head, "9a000000-0000-4000-8000-000000000042", fromFork));
        assertThat(allowed.getStatusCode()).as(allowed.getBody()).isEqualTo(202);
        assertThat(list(body(allowed), "started")).extracting(s -> s.get("infrastructure")).containsExactly("dev");
        // a deleted fork (head.repo null) is a fork too
        var gone = deliver(github("synchronize", base, head, "9a000000-0000-4000-8000-000000000043", b -> {
            fromFork.accept(b);
            ((ObjectNode) b.get("pull_request").get("head")).putNull("repo");
        }));
        assertThat(body(gone)).containsEntry("outcome", "fork-refused");
    }

    @Test
    void closedWithoutMergeIsStaleMergedStartsNothingOtherActionsAre202() throws Exception {
        var head = prChangingDev("refs/pull/7/head", "10.7.0.0/16");
        var closed = deliver(github("closed", head, "9a000000-0000-4000-8000-000000000051"));
        assertThat(closed.getStatusCode()).isEqualTo(200);
        assertThat(body(closed)).containsEntry("outcome", "stale");
        var merged = deliver(github("closed", base, head, "9a000000-0000-4000-8000-000000000052",
                b -> ((ObjectNode) b.get("pull_request")).put("merged", true)));
        assertThat(body(merged)).containsEntry("outcome", "merged");
        var edited = deliver(github("edited", head, "9a000000-0000-4000-8000-000000000053"));
        assertThat(edited.getStatusCode()).isEqualTo(202);
        assertThat(body(edited)).containsEntry("outcome", "ignored");
        assertThat((String) body(edited).get("message")).contains("'edited'").contains("synchronize");
        assertThat(queued()).isEmpty();
    }

    @Test
    void aForgedOrUnsignedPrEventIs401AndNothingIsRecorded() throws Exception {
        var head = prChangingDev("refs/pull/7/head", "10.7.0.0/16");
        var signed = github("opened", head, "9a000000-0000-4000-8000-000000000061");
        var forged = TestEvents.withBody(signed, signed.getBody().replace("\"opened\"", "\"reopened\""), false);
        assertThat(deliver(forged).getStatusCode()).isEqualTo(401);
        var wrongToken = TestEvents.withHeader(gitlab("open", head, "9a000000-0000-4000-8000-000000000062", b -> {
        }), "x-gitlab-token", "not-the-token");
        assertThat(deliver(wrongToken).getStatusCode()).isEqualTo(401);
        assertThat(queued()).isEmpty();
        assertThat(new Workspace(state).deliveries().firstSeen("github", "9a000000-0000-4000-8000-000000000061",
                java.time.Instant.now().plusSeconds(60))).as("the forged delivery was not recorded").isTrue();
        // the check above took the id, so the genuine delivery is now a duplicate: proof the store answers for it
        assertThat(body(deliver(signed))).containsEntry("outcome", "duplicate");
    }

    @Test
    void gitlabMergeRequestsPreviewOnOpenAndOnUpdateWithNewCommitsOnly() throws Exception {
        var head = prChangingDev("refs/merge-requests/7/head", "10.7.0.0/16");
        var opened = deliver(gitlab("open", head, "24803b45-0000-4000-8000-000000000071", b -> {
        }));
        assertThat(opened.getStatusCode()).as(opened.getBody()).isEqualTo(202);
        assertThat(body(opened)).containsEntry("mergeBase", base);
        assertThat(list(body(opened), "started")).singleElement().satisfies(s -> assertThat(s).containsEntry("infrastructure", "dev"));
        assertThat(queued()).singleElement().satisfies(r -> assertThat(r.path("trigger").asText()).startsWith("gitlab:preview acme/infra!7"));

        var titleEdit = deliver(gitlab("update", head, "24803b45-0000-4000-8000-000000000072", b -> {
        }));
        assertThat(titleEdit.getStatusCode()).isEqualTo(202);
        assertThat((String) body(titleEdit).get("message")).contains("without new commits");

        var second = prChangingDev("refs/merge-requests/7/head", "10.77.0.0/16");
        var update = deliver(gitlab("update", second, "24803b45-0000-4000-8000-000000000073",
                b -> ((ObjectNode) b.get("object_attributes")).put("oldrev", head)));
        assertThat(update.getStatusCode()).as(update.getBody()).isEqualTo(202);
        assertThat(queued()).hasSize(2);

        var fork = deliver(gitlab("reopen", second, "24803b45-0000-4000-8000-000000000074",
                b -> ((ObjectNode) b.get("object_attributes")).put("source_project_id", 16)));
        assertThat(body(fork)).containsEntry("outcome", "fork-refused");
        var closed = deliver(gitlab("close", second, "24803b45-0000-4000-8000-000000000075", b -> {
        }));
        assertThat(body(closed)).containsEntry("outcome", "stale");
        var merged = deliver(gitlab("merge", second, "24803b45-0000-4000-8000-000000000076", b -> {
        }));
        assertThat(body(merged)).containsEntry("outcome", "merged");
        assertThat(queued()).hasSize(2);
    }

    @Test
    void aPrAgainstAnotherBranchIsIgnored() throws Exception {
        var head = prChangingDev("refs/pull/7/head", "10.7.0.0/16");
        pushRef("refs/heads/main", "refs/heads/release");
        var response = deliver(github("opened", base, head, "9a000000-0000-4000-8000-000000000081",
                b -> ((ObjectNode) b.get("pull_request").get("base")).put("ref", "release")));
        assertThat(response.getStatusCode()).isEqualTo(202);
        assertThat((String) body(response).get("ignored")).contains("targets release").contains("tracks main");
        assertThat(queued()).isEmpty();
    }
}
