package dev.cairn.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cairn.functions.pr.MergeLinks;
import dev.cairn.functions.pr.PreviewComment;
import dev.cairn.functions.pr.PreviewWiring;
import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.store.local.LocalThreadStore;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.cairn.functions.GitWebhookFunctionTest.body;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Apply on merge, told to the PR: the webhook function (real JGit repository, signed deliveries)
 * and the preview notifier against a local stand-in for GitHub's REST API that records every
 * call. The preview comment is created once; the PR-merged event edits it to name the apply run
 * the merge commit's push starts (the very name the push flow queues); the end of that run edits
 * it again with the result and whether the applied plan matched the preview. The two webhooks in
 * either order give the same comment; a redelivery changes nothing; a stale comment stays stale.
 */
@SuppressWarnings("unchecked")
class PreviewMergeIT {
    static final String TOKEN = "ghp_mergeTokenNeverInABody0123";

    @TempDir
    Path tmp;
    TestRepo repo;
    String base;
    Path state;
    GitWebhookFunction function;
    RunNotifier notifier;
    HttpServer server;
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final Map<Long, String> comments = new LinkedHashMap<>();
    final Map<Long, String> notes = new LinkedHashMap<>();

    @BeforeEach
    void setUp() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        repo = TestRepo.twoInfrastructures(tmp.resolve("repo"));
        base = repo.head();
        state = tmp.resolve("state");
        var env = Map.of("CAIRN_STATE_DIR", state.toString(),
                "CAIRN_GITHUB_WEBHOOK_SECRET", TestEvents.SECRET, "CAIRN_GITLAB_WEBHOOK_TOKEN", TestEvents.SECRET,
                "CAIRN_GIT_CACHE_DIR", tmp.resolve("git-cache").toString(),
                "CAIRN_GITHUB_TOKEN", TOKEN, "CAIRN_GITHUB_API_URL", "http://127.0.0.1:" + server.getAddress().getPort() + "/",
                "CAIRN_GITLAB_TOKEN", TOKEN, "CAIRN_GITLAB_API_URL", "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v4");
        function = new GitWebhookFunction(env);
        // the notifier as ReconcileWiring builds it locally: the same thread store directory the webhook links in
        notifier = PreviewWiring.notifier(env, RunNotifier.NONE, new MergeLinks(new LocalThreadStore(state.resolve("threads"))));
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
        repo.close();
    }

    private synchronized void handle(HttpExchange exchange) throws IOException {
        var method = exchange.getRequestMethod();
        var path = exchange.getRequestURI().getRawPath();
        var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        calls.add(method + " " + path);
        if (!body.isEmpty()) bodies.add(body);
        JsonNode answer;
        int status = 200;
        if (method.equals("GET") && path.equals("/repos/acme/infra/issues/7/comments")) {
            var list = TestEvents.JSON.createArrayNode();
            if (exchange.getRequestURI().getRawQuery().contains("page=1")) comments.forEach((id, text) -> list.addObject().put("id", id).put("body", text));
            answer = list;
        } else if (method.equals("POST") && path.equals("/repos/acme/infra/issues/7/comments")) {
            long id = 500 + comments.size();
            comments.put(id, TestEvents.JSON.readTree(body).path("body").asText());
            answer = TestEvents.JSON.createObjectNode().put("id", id);
            status = 201;
        } else if (method.equals("PATCH") && path.matches("/repos/acme/infra/issues/comments/\\d+")) {
            comments.put(Long.parseLong(path.substring(path.lastIndexOf('/') + 1)), TestEvents.JSON.readTree(body).path("body").asText());
            answer = TestEvents.JSON.createObjectNode();
        } else if (method.equals("GET") && path.equals("/api/v4/projects/acme%2Finfra/merge_requests/7/notes")) {
            var list = TestEvents.JSON.createArrayNode();
            if (exchange.getRequestURI().getRawQuery().contains("page=1")) notes.forEach((id, text) -> list.addObject().put("id", id).put("body", text));
            answer = list;
        } else if (method.equals("POST") && path.equals("/api/v4/projects/acme%2Finfra/merge_requests/7/notes")) {
            long id = 900 + notes.size();
            notes.put(id, TestEvents.JSON.readTree(body).path("body").asText());
            answer = TestEvents.JSON.createObjectNode().put("id", id);
            status = 201;
        } else if (method.equals("PUT") && path.matches("/api/v4/projects/acme%2Finfra/merge_requests/7/notes/\\d+")) {
            notes.put(Long.parseLong(path.substring(path.lastIndexOf('/') + 1)), TestEvents.JSON.readTree(body).path("body").asText());
            answer = TestEvents.JSON.createObjectNode();
        } else if (method.equals("POST") && (path.startsWith("/repos/acme/infra/statuses/") || path.startsWith("/api/v4/projects/acme%2Finfra/statuses/"))) {
            answer = TestEvents.JSON.createObjectNode();
            status = 201;
        } else {
            answer = TestEvents.JSON.createObjectNode().put("message", "Not Found");
            status = 404;
        }
        var bytes = TestEvents.JSON.writeValueAsBytes(answer);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    APIGatewayV2HTTPEvent pr(String action, String head, String delivery, boolean merged, String mergeCommit) {
        var event = TestEvents.edited("github-pull-request.json", b -> {
            b.put("action", action);
            var pr = (ObjectNode) b.get("pull_request");
            ((ObjectNode) pr.get("base")).put("sha", base);
            ((ObjectNode) pr.get("head")).put("sha", head);
            pr.put("merged", merged);
            if (mergeCommit != null) pr.put("merge_commit_sha", mergeCommit);
            ((ObjectNode) b.get("repository")).put("clone_url", repo.url());
            ((ObjectNode) pr.get("base").get("repo")).put("clone_url", repo.url());
            ((ObjectNode) pr.get("head").get("repo")).put("clone_url", repo.url());
        });
        return TestEvents.withHeader(event, "x-github-delivery", delivery);
    }

    APIGatewayV2HTTPEvent push(String before, String after, String delivery) {
        var event = TestEvents.edited("github-push.json", b -> {
            b.put("ref", "refs/heads/main").put("before", before).put("after", after);
            ((ObjectNode) b.get("repository")).put("clone_url", repo.url());
        });
        return TestEvents.withHeader(event, "x-github-delivery", delivery);
    }

    /** The PR's head (dev's cidr changed) on branch feature and refs/pull/7/head, then the same change merged to main. */
    String[] headAndMerge() throws Exception {
        repo.checkout("feature", true);
        var head = repo.write("infrastructures/dev.yaml", TestRepo.manifest("dev", "10.7.0.0/16")).commitAndPush("feature", "dev: 10.7");
        repo.git.push().setRemote(repo.url()).setForce(true).setRefSpecs(new org.eclipse.jgit.transport.RefSpec("+refs/heads/feature:refs/pull/7/head")).call();
        repo.checkout("main", false);
        var merge = repo.write("infrastructures/dev.yaml", TestRepo.manifest("dev", "10.7.0.0/16")).commitAndPush("main", "Merge #7");
        return new String[]{head, merge};
    }

    static StageResult stage(String name, int add, int change) {
        var plan = new PlanSummary(add, change, 0, List.of(new PlanSummary.ResourceChange("terraform_data.vpc", PlanSummary.Action.UPDATE)), List.of());
        return new StageResult(name, plan.hasChanges() ? StageStatus.PLANNED : StageStatus.NO_CHANGES, plan, null, null, null, null, null, null);
    }

    static Run run(String id, RunAction action, String trigger, String revision, StageResult... stages) {
        var results = new LinkedHashMap<String, StageResult>();
        for (var s : stages) results.put(s.stage(), s);
        return new Run(id, "dev", action, RunStatus.SUCCEEDED, trigger, revision, Instant.EPOCH, Instant.EPOCH, List.of(), results, null, 3);
    }

    Run preview(String head) {
        return run("20261202T020000Z-p0123456789abcdef", RunAction.PLAN, Previews.trigger("github", "acme/infra#7", base), head, stage("network", 0, 1));
    }

    Run apply(String merge, int change) {
        return run("20261202T030000Z-a0123456789abcdef", RunAction.APPLY, "github:push 9b-push", merge, stage("network", 0, change));
    }

    List<JsonNode> queued() throws Exception {
        try (var files = Files.list(state.resolve("queue"))) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().map(f -> {
                try {
                    return TestEvents.JSON.readTree(f.toFile());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }

    long edits() {
        return calls.stream().filter(c -> c.startsWith("PATCH ")).count();
    }

    @Test
    void mergedThenTheRunEndsEditsTheOneCommentToMergedThenTheResultAndARedeliveryChangesNothing() throws Exception {
        var commits = headAndMerge();
        var head = commits[0];
        var merge = commits[1];
        assertThat(function.handleRequest(pr("opened", head, "9c000000-0000-4000-8000-000000000001", false, null), null).getStatusCode()).isEqualTo(202);
        notifier.runFinished(preview(head), Map.of());
        assertThat(comments).hasSize(1);
        assertThat(comments.get(500L)).contains("<!-- cairn:plans network=+0~1-0 -->");

        var merged = function.handleRequest(pr("closed", head, "9c000000-0000-4000-8000-000000000002", true, merge), null);
        assertThat(merged.getStatusCode()).isEqualTo(200);
        assertThat(body(merged)).containsEntry("outcome", "merged").containsEntry("mergedComments", 1);
        var applyRun = MergeLinks.applyRun("dev", merge);
        assertThat(comments.get(500L)).contains("**Merged:** acme/infra#7 was merged as `" + merge.substring(0, 12) + "`: applying in run `" + applyRun + "`")
                .contains("### Cairn plan preview");

        // the push of the merge commit queues exactly the run the comment names
        assertThat(function.handleRequest(push(base, merge, "9c000000-0000-4000-8000-000000000003"), null).getStatusCode()).isEqualTo(202);
        assertThat(queued()).filteredOn(q -> q.path("action").asText().equals("APPLY")).extracting(q -> q.path("name").asText()).containsExactly(applyRun);

        notifier.runFinished(apply(merge, 1), Map.of());
        var done = comments.get(500L);
        assertThat(done).contains("**Merged and applied:** acme/infra#7", "run `20261202T030000Z-a0123456789abcdef` succeeded",
                "> | `network` | +0~1-0 |", "The applied plan matched this preview.").doesNotContain("applying in run");
        assertThat(comments).as("edited, never a second comment").hasSize(1);
        assertThat(calls).filteredOn(c -> c.startsWith("POST /repos/acme/infra/issues/7/comments")).hasSize(1);

        // a redelivery of the merged event, and the run's end told twice, change nothing
        long before = edits();
        function.handleRequest(pr("closed", head, "9c000000-0000-4000-8000-000000000002", true, merge), null);
        function.handleRequest(pr("closed", head, "9c000000-0000-4000-8000-000000000004", true, merge), null);
        notifier.runFinished(apply(merge, 1), Map.of());
        assertThat(edits()).isEqualTo(before);
        assertThat(comments.get(500L)).isEqualTo(done);
        assertThat(bodies).noneMatch(b -> b.contains(TOKEN));
    }

    @Test
    void theRunEndingBeforeTheMergedEventGivesTheSameCommentAndADifferentPlanIsNamed() throws Exception {
        var commits = headAndMerge();
        var head = commits[0];
        var merge = commits[1];
        function.handleRequest(pr("opened", head, "9c000000-0000-4000-8000-000000000011", false, null), null);
        notifier.runFinished(preview(head), Map.of());
        // push first, the run ends (applying a different plan than previewed), and only then the PR-merged event
        function.handleRequest(push(base, merge, "9c000000-0000-4000-8000-000000000012"), null);
        notifier.runFinished(apply(merge, 3), Map.of());
        assertThat(comments.get(500L)).doesNotContain("Merged");
        function.handleRequest(pr("closed", head, "9c000000-0000-4000-8000-000000000013", true, merge), null);
        assertThat(comments).hasSize(1);
        assertThat(comments.get(500L)).contains("**Merged and applied:**", "> | `network` | +0~3-0 |",
                "**The applied plan differed from this preview** in `network` (preview: network +0~1-0; applied: network +0~3-0).")
                .doesNotContain("applying in run");
    }

    @Test
    void aStaleCommentIsNeverTurnedIntoMerged() throws Exception {
        var commits = headAndMerge();
        var head = commits[0];
        function.handleRequest(pr("opened", head, "9c000000-0000-4000-8000-000000000021", false, null), null);
        notifier.runFinished(preview(head), Map.of());
        function.handleRequest(pr("closed", head, "9c000000-0000-4000-8000-000000000022", false, null), null);
        var stale = comments.get(500L);
        assertThat(stale).contains("**Stale:**");
        var merged = function.handleRequest(pr("closed", head, "9c000000-0000-4000-8000-000000000023", true, commits[1]), null);
        assertThat(body(merged)).containsEntry("mergedComments", 0);
        notifier.runFinished(apply(commits[1], 1), Map.of());
        assertThat(comments.get(500L)).isEqualTo(stale);
    }

    @Test
    void reopeningAtTheSameHeadStartsNothingAndTheCommentIsCurrentAgain() throws Exception {
        var head = headAndMerge()[0];
        var opened = function.handleRequest(pr("opened", head, "9c000000-0000-4000-8000-000000000031", false, null), null);
        assertThat(opened.getStatusCode()).isEqualTo(202);
        notifier.runFinished(preview(head), Map.of());
        var live = comments.get(500L);
        function.handleRequest(pr("closed", head, "9c000000-0000-4000-8000-000000000032", false, null), null);
        assertThat(comments.get(500L)).contains("**Stale:**");

        var reopened = function.handleRequest(pr("reopened", head, "9c000000-0000-4000-8000-000000000033", false, null), null);
        assertThat(reopened.getStatusCode()).isEqualTo(202);
        assertThat(body(reopened)).containsEntry("currentComments", 1);
        assertThat((List<Map<String, Object>>) body(reopened).get("started")).as("the execution of this head is known: nothing new runs")
                .singleElement().satisfies(s -> assertThat(s).containsEntry("alreadyStarted", true));
        assertThat(comments.get(500L)).as("the preview of that head is current again").isEqualTo(live).doesNotContain("Stale");
        assertThat(comments).hasSize(1);

        // a redelivery edits nothing more
        long before = edits();
        function.handleRequest(pr("reopened", head, "9c000000-0000-4000-8000-000000000034", false, null), null);
        assertThat(edits()).isEqualTo(before);
    }

    APIGatewayV2HTTPEvent mr(String action, String head, String delivery, String mergeCommit) {
        var event = TestEvents.edited("gitlab-merge-request.json", b -> {
            var attributes = (ObjectNode) b.get("object_attributes");
            attributes.put("action", action);
            ((ObjectNode) attributes.get("last_commit")).put("id", head);
            if (mergeCommit != null) attributes.put("merge_commit_sha", mergeCommit);
            ((ObjectNode) attributes.get("target")).put("git_http_url", repo.url());
            ((ObjectNode) b.get("project")).put("git_http_url", repo.url());
        });
        return TestEvents.withHeader(event, "x-gitlab-event-uuid", delivery);
    }

    @Test
    void aGitLabMergeRequestGetsTheSameNoteEditedToMergedThenApplied() throws Exception {
        var commits = headAndMerge();
        var head = commits[0];
        var merge = commits[1];
        notifier.runFinished(run("20261202T020000Z-p0123456789abcdef", RunAction.PLAN, Previews.trigger("gitlab", "acme/infra!7", base), head,
                stage("network", 0, 1)), Map.of());
        assertThat(notes).hasSize(1);
        var merged = function.handleRequest(mr("merge", head, "9d000000-0000-4000-8000-000000000001", merge), null);
        assertThat(body(merged)).containsEntry("outcome", "merged").containsEntry("mergedComments", 1);
        assertThat(notes.get(900L)).contains("**Merged:** acme/infra!7 was merged as `" + merge.substring(0, 12) + "`: applying in run `"
                + MergeLinks.applyRun("dev", merge) + "`");
        notifier.runFinished(run("20261202T030000Z-a0123456789abcdef", RunAction.APPLY, "gitlab:push 9d-push", merge, stage("network", 0, 1)), Map.of());
        assertThat(notes).hasSize(1);
        assertThat(notes.get(900L)).contains("**Merged and applied:** acme/infra!7", "The applied plan matched this preview.");
        assertThat(comments).as("nothing on GitHub").isEmpty();
        assertThat(bodies).noneMatch(b -> b.contains(TOKEN));
    }
    APIGatewayV2HTTPEvent synchronize(String before, String head, String delivery) {
        var event = TestEvents.edited("github-pull-request.json", b -> {
            b.put("action", "synchronize").put("before", before);
            var pr = (ObjectNode) b.get("pull_request");
            ((ObjectNode) pr.get("base")).put("sha", base);
            ((ObjectNode) pr.get("head")).put("sha", head);
            ((ObjectNode) b.get("repository")).put("clone_url", repo.url());
            ((ObjectNode) pr.get("base").get("repo")).put("clone_url", repo.url());
            ((ObjectNode) pr.get("head").get("repo")).put("clone_url", repo.url());
        });
        return TestEvents.withHeader(event, "x-github-delivery", delivery);
    }

    /** Pushes the work tree's branch feature as the PR's head ref too. */
    void pushPrHead() throws Exception {
        repo.git.push().setRemote(repo.url()).setForce(true).setRefSpecs(new org.eclipse.jgit.transport.RefSpec("+refs/heads/feature:refs/pull/7/head")).call();
    }

    @Test
    void aNewHeadThatNoLongerChangesDevSaysMergingAppliesNothingToItAndTheMergeLeavesThatAlone() throws Exception {
        var first = headAndMerge()[0];
        function.handleRequest(pr("opened", first, "9e000000-0000-4000-8000-000000000001", false, null), null);
        notifier.runFinished(preview(first), Map.of());
        assertThat(comments.get(500L)).contains("### Cairn plan preview: `dev`").doesNotContain("Nothing to apply");

        // the next head takes the change back: the PR no longer changes dev
        repo.checkout("feature", false);
        var second = repo.write("infrastructures/dev.yaml", TestRepo.manifest("dev", "10.0.0.0/16")).commitAndPush("feature", "dev: back to 10.0");
        pushPrHead();
        var sync = function.handleRequest(synchronize(first, second, "9e000000-0000-4000-8000-000000000002"), null);
        assertThat(sync.getStatusCode()).as(sync.getBody()).isEqualTo(200);
        assertThat(body(sync)).containsEntry("outcome", "nothing-started").containsEntry("nothingToApply", List.of("dev"));
        var note = comments.get(500L);
        assertThat(note).contains("**Nothing to apply:** at head `" + second.substring(0, 12) + "`, acme/infra#7 no longer changes `dev`: merging applies nothing to it.")
                .contains("The preview below is of an earlier head.").contains("### Cairn plan preview: `dev`");
        assertThat(comments).as("the same comment, edited").hasSize(1);
        assertThat(calls).as("the new head gets dev's check, so a required check does not wait").contains("POST /repos/acme/infra/statuses/" + second);
        assertThat(bodies).anyMatch(b -> b.contains("nothing to apply: this head no longer changes dev") && b.contains("\"success\"")
                && b.contains("cairn/plan/dev"));
        // a redelivery, and another delivery of the same head, edit nothing more
        long edited = edits();
        function.handleRequest(synchronize(first, second, "9e000000-0000-4000-8000-000000000003"), null);
        assertThat(edits()).isEqualTo(edited);
        assertThat(comments.get(500L)).isEqualTo(note);

        // the preview of the first head ending late does not take the comment back
        notifier.runFinished(preview(first), Map.of());
        assertThat(comments.get(500L)).isEqualTo(note);

        // merged: nothing is applied to dev, and the comment does not claim a run
        var merged = function.handleRequest(pr("closed", second, "9e000000-0000-4000-8000-000000000004", true, base), null);
        assertThat(body(merged)).containsEntry("mergedComments", 0);
        assertThat(comments.get(500L)).isEqualTo(note).doesNotContain("applying in run");

        // a third head changes dev again: a new preview renders the comment anew, without the note
        repo.checkout("feature", false);
        var third = repo.write("infrastructures/dev.yaml", TestRepo.manifest("dev", "10.9.0.0/16")).commitAndPush("feature", "dev: 10.9");
        pushPrHead();
        var again = function.handleRequest(synchronize(second, third, "9e000000-0000-4000-8000-000000000005"), null);
        assertThat(body(again)).containsEntry("outcome", "started");
        var results = new LinkedHashMap<String, StageResult>(Map.of("network", stage("network", 0, 2)));
        notifier.runFinished(new Run("20261202T040000Z-p0123456789abcdef", "dev", RunAction.PLAN, RunStatus.SUCCEEDED,
                Previews.trigger("github", "acme/infra#7", base), third, Instant.now(), Instant.now(), List.of(), results, null, 3), Map.of());
        assertThat(comments.get(500L)).doesNotContain("Nothing to apply").contains("`+0 ~2 -0`");
    }

    @Test
    void aPrDeletingAManifestIsToldThatMergingDestroysNothing() throws Exception {
        repo.checkout("feature", true);
        var head = repo.delete("infrastructures/prod.yaml").commitAndPush("feature", "drop prod");
        pushPrHead();
        var opened = function.handleRequest(pr("opened", head, "9e000000-0000-4000-8000-000000000011", false, null), null);
        assertThat(opened.getStatusCode()).as(opened.getBody()).isEqualTo(200);
        assertThat(body(opened)).containsEntry("nothingToApply", List.of("prod"));
        assertThat(comments).hasSize(1);
        assertThat(comments.values().iterator().next()).startsWith(PreviewComment.marker("prod"))
                .contains("deletes `infrastructures/prod.yaml`: merging destroys nothing and Cairn stops reconciling `prod`")
                .contains("run `cairn destroy` before merging").doesNotContain("earlier head");
        assertThat(bodies).anyMatch(b -> b.contains("nothing to apply: this head deletes infrastructures/prod.yaml; nothing is destroyed"));
        var redelivered = function.handleRequest(pr("opened", head, "9e000000-0000-4000-8000-000000000012", false, null), null);
        assertThat(redelivered.getStatusCode()).isEqualTo(200);
        assertThat(comments).as("told once, edited in place").hasSize(1);
    }
}
