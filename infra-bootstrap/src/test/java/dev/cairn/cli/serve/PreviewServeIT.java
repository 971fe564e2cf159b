package dev.cairn.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.statemachine.Executions;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pull request's plan preview under {@code cairn serve}, end to end with real Terraform on the
 * quickstart: dev is applied by a push first; then, while someone else holds dev's lock (an apply
 * in progress), a signed {@code pull_request opened} for a branch that changes dev runs one
 * preview of dev through the template's own state machine definition: plan-only, every stage
 * planned, the lock still the other holder's, and every Terraform state file byte for byte what
 * it was, as are dev's outputs.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PreviewServeIT {
    static final String WEBHOOK_SECRET = "preview-it-webhook-secret";
    static final PersonIdent AUTHOR = new PersonIdent("t", "t@example.com");
    static final Duration RUN_LIMIT = Duration.ofMinutes(6);

    @TempDir
    static Path tmp;
    Path repo;
    Path state;
    Git git;
    String first;
    String second;
    LocalServer server;
    String head;
    String sensitiveValue;
    final GitHubStub github = new GitHubStub();
    final StringWriter log = new StringWriter();
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void serve() throws Exception {
        repo = dev.cairn.cli.Examples.copy("quickstart", tmp.resolve("infra"));
        git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call();
        first = commit("quickstart");
        edit("infrastructures/dev.yaml", "db_size: micro", "db_size: tiny");
        second = commit("dev: a tiny database");
        state = tmp.resolve("state");
        github.start();
        server = LocalServer.start(new LocalServer.Options(repo, Path.of(System.getProperty("cairn.repoRoot")).resolve("template.yaml"),
                state, 0, Map.of("CAIRN_GITHUB_WEBHOOK_SECRET", WEBHOOK_SECRET, "CAIRN_GITHUB_TOKEN", GitHubStub.TOKEN,
                "CAIRN_GITHUB_API_URL", github.url()), new PrintWriter(log, true)));
    }

    @AfterAll
    void stop() {
        if (server != null) server.stop();
        github.stop();
        if (git != null) git.close();
    }

    @Test
    @Order(1)
    void aPrPreviewPlansDevWithoutItsLockAndLeavesStateAndOutputsAsTheyWere() throws Exception {
        // dev applied by a push, as it would be before any PR
        var push = Json.MAPPER.createObjectNode();
        push.put("ref", "refs/heads/main").put("before", first).put("after", second).put("created", false).put("deleted", false);
        push.putObject("repository").put("full_name", "acme/infra").put("clone_url", server.repository().url());
        push.putObject("pusher").put("name", "octocat");
        var applied = deliver("push", Json.MAPPER.writeValueAsString(push));
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(202);
        var apply = server.executions().await(Json.MAPPER.readTree(applied.body()).path("started").get(0).path("execution").asText(), RUN_LIMIT);
        assertThat(apply.status()).as(apply + "\n" + log).isEqualTo(Executions.Status.SUCCEEDED);
        var workspace = new Workspace(state);
        var outputsBefore = Json.MAPPER.writeValueAsString(workspace.outputs().all("dev"));
        var statesBefore = stateFiles();
        assertThat(statesBefore).as("the apply left Terraform state").isNotEmpty();

        // a PR branch off main that changes dev; the forge keeps its head at refs/pull/7/head
        git.checkout().setName("feature").setCreateBranch(true).call();
        edit("infrastructures/dev.yaml", "cidr: 10.10.0.0/16", "cidr: 10.20.0.0/16");
        head = commit("dev: another cidr");
        pullRef(head);

        // an apply of dev holds its lock the whole time: a preview neither takes nor waits for it
        var holder = new LockStore.LockOwner("20261202T000000Z-someone", "someone-else", 1, Instant.now(), Instant.now().plus(Duration.ofHours(1)),
                "arn:aws:states:local:000000000000:execution:cairn-reconcile:someone-else");
        workspace.locks().acquire("dev", holder);

        var response = deliver("pull_request", pullRequest("opened", head, false));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        var answer = Json.MAPPER.readTree(response.body());
        assertThat(answer.path("started")).hasSize(1);
        assertThat(answer.path("started").get(0).path("infrastructure").asText()).isEqualTo("dev");
        var execution = server.executions().await(answer.path("started").get(0).path("execution").asText(), RUN_LIMIT);
        assertThat(execution.status()).as(execution + "\n" + log).isEqualTo(Executions.Status.SUCCEEDED);
        // the apply's stage builds ran in the stage project, the preview's in the read-only preview project (template.yaml's PreviewBuild)
        var applyProjects = startedBuilds(Json.MAPPER.readTree(applied.body()).path("started").get(0).path("execution").asText());
        var previewProjects = startedBuilds(answer.path("started").get(0).path("execution").asText());
        assertThat(applyProjects).isNotEmpty().allSatisfy(b -> assertThat(b).doesNotContain("-preview ").doesNotEndWith(" preview"));
        var stageProject = applyProjects.getFirst().substring(applyProjects.getFirst().indexOf(' ') + 1, applyProjects.getFirst().lastIndexOf(' '));
        assertThat(previewProjects).isNotEmpty().allSatisfy(b -> assertThat(b).matches("\\S+/Preview " + java.util.regex.Pattern.quote(stageProject)
                + "-preview preview"));

        var run = workspace.runs().list("dev", 1).getFirst();
        assertThat(run.action()).isEqualTo(RunAction.PLAN);
        assertThat(run.status()).as(run.toString()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.revision()).isEqualTo(head);
        assertThat(run.trigger()).isEqualTo("github:preview acme/infra#7 base " + second + " onto main@" + second);
        assertThat(run.executionArn()).as("the run keeps its execution")
                .startsWith("arn:aws:states:local:").endsWith(":execution:cairn-local-reconcile:" + answer.path("started").get(0).path("execution").asText());
        assertThat(run.stages().get("network").status()).isEqualTo(StageStatus.PLANNED);
        assertThat(run.stages().get("network").plan().hasChanges()).isTrue();
        assertThat(run.stages().values()).allSatisfy(s -> {
            assertThat(s.status()).as(s.stage()).isIn(StageStatus.PLANNED, StageStatus.NO_CHANGES);
            assertThat(s.planKey()).as(s.stage() + ": a preview keeps no plan that could be applied").isNull();
        });
        // the new cidr changes network's vpc_cidr output only, which no stage reads: every plan is exact
        assertThat(run.stages().get("network").plan().outputChanges()).containsExactly("vpc_cidr");
        assertThat(run.stages().values()).allSatisfy(s -> assertThat(s.inexactBecause()).as(s.stage()).isNull());
        assertThat(workspace.locks().owner("dev")).as("the apply's lock was never touched").contains(holder);
        assertThat(stateFiles()).as("no Terraform state was written").isEqualTo(statesBefore);
        assertThat(Json.MAPPER.writeValueAsString(workspace.outputs().all("dev"))).as("the outputs are the apply's").isEqualTo(outputsBefore);
        assertThat(Files.list(state.resolve("locks")).map(p -> p.getFileName().toString()))
                .as("the preview's own lease is released (its empty guard file stays, as every lock's does)")
                .filteredOn(n -> n.endsWith(".lock")).containsExactly("dev.lock");
        workspace.locks().release("dev", holder.runId());

        // on the PR: one comment for dev with its per-stage summary, a pending then a success status on the head
        assertThat(github.calls()).filteredOn(c -> c.startsWith("POST /repos/acme/infra/issues/7/comments")).hasSize(1);
        var comment = github.comment(7, "<!-- cairn:preview:dev -->");
        assertThat(comment).contains("Cairn plan preview: `dev`", "| `network` | `+", "Base `main` at `" + second.substring(0, 12),
                "head `" + head.substring(0, 12), "- `").doesNotContain("inexact");
        assertThat(github.statuses(head)).extracting(st -> st.path("state").asText()).containsExactly("pending", "success");
        assertThat(github.statuses(head)).allSatisfy(st -> assertThat(st.path("context").asText()).isEqualTo("cairn/plan/dev"));
        assertThat(github.statuses(head).getLast().path("description").asText()).matches("\\+\\d+ ~\\d+ -\\d+ in \\d+ stages?");
        assertThat(github.authorizations()).containsOnly("Bearer " + GitHubStub.TOKEN);
        sensitiveValue = String.valueOf(workspace.outputs().all("dev").get("addons").values().get("keycloak_admin_password").value());
        assertThat(sensitiveValue).startsWith("kc-");

        // the comment links the run's page on this server (CAIRN_RUN_URL's default under serve), which shows every stage's log
        var runUrl = "http://127.0.0.1:" + server.port() + "/runs/dev/" + run.id();
        assertThat(comment).contains("Full log: [run `" + run.id() + "`](" + runUrl + ")");
        assertThat(github.statuses(head)).as("each status's Details link opens the run's page")
                .allSatisfy(st -> assertThat(st.path("target_url").asText()).isEqualTo(runUrl));
        var page = http.send(HttpRequest.newBuilder(URI.create(runUrl)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body()).contains(run.id(), "succeeded", head, run.trigger());
        for (var stage : run.stages().values()) {
            var stored = new String(workspace.blobs().get(stage.log()).orElseThrow(), StandardCharsets.UTF_8);
            assertThat(stored).as(stage.stage()).contains("terraform")
                    .as("the log says where the lock flag comes from").startsWith("# preview: terraform plan runs with -lock=false");
            assertThat(page.body()).as(stage.stage()).contains("Log of <code>" + stage.stage() + "</code>",
                    org.eclipse.jetty.util.StringUtil.sanitizeXmlString(stored));
            var text = http.send(HttpRequest.newBuilder(URI.create(runUrl + "/" + stage.stage() + ".log")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(text.statusCode()).isEqualTo(200);
            assertThat(text.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(text.body()).isEqualTo(stored);
        }
        assertThat(page.body()).doesNotContain(sensitiveValue);
        var status = http.send(HttpRequest.newBuilder(server.url()).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(status).as("the status page links the run").contains("href=\"/runs/dev/" + run.id() + "\"").contains("plan preview of acme/infra#7 (nothing applied)");
    }

    @Test
    @Order(2)
    void aSynchronizeToANewHeadUpdatesTheSameCommentAndPostsANewStatus() throws Exception {
        git.checkout().setName("feature").call();
        edit("infrastructures/dev.yaml", "cidr: 10.20.0.0/16", "cidr: 10.30.0.0/16");
        // a third node changes kubernetes' cluster_name (known only after apply), which addons reads: addons' plan is inexact
        edit("infrastructures/dev.yaml", "desiredSize: 2", "desiredSize: 3");
        var newHead = commit("dev: yet another cidr, and a third node");
        pullRef(newHead);
        var response = deliver("pull_request", pullRequest("synchronize", newHead, false));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        var name = Json.MAPPER.readTree(response.body()).path("started").get(0).path("execution").asText();
        assertThat(server.executions().await(name, RUN_LIMIT).status()).as(log.toString()).isEqualTo(Executions.Status.SUCCEEDED);

        assertThat(github.calls()).filteredOn(c -> c.startsWith("POST /repos/acme/infra/issues/7/comments")).as("never a second comment").hasSize(1);
        assertThat(github.calls()).filteredOn(c -> c.startsWith("PATCH /repos/acme/infra/issues/comments/1")).hasSize(1);
        assertThat(github.comment(7, "<!-- cairn:preview:dev -->")).contains("head `" + newHead.substring(0, 12)).doesNotContain(head.substring(0, 12));
        var run = new Workspace(state).runs().list("dev", 1).getFirst();
        assertThat(run.revision()).isEqualTo(newHead);
        assertThat(run.stages().get("kubernetes").plan().outputChanges()).contains("cluster_name");
        assertThat(run.stages().get("addons").inexactBecause()).as("addons reads kubernetes.cluster_name").containsExactly("kubernetes");
        assertThat(run.stages().get("kubernetes").inexactBecause()).as("network's changed output is not one kubernetes reads").isNull();
        assertThat(run.stages().get("app_db").inexactBecause()).isNull();
        assertThat(github.comment(7, "<!-- cairn:preview:dev -->")).containsPattern("\\| `addons` \\| [^\\n]* · inexact: depends on changes in `kubernetes` \\|")
                .doesNotContain("depends on changes in `network`");
        assertThat(github.statuses(newHead)).extracting(st -> st.path("state").asText()).containsExactly("pending", "success");
        var out = new StringWriter();
        var cli = dev.cairn.cli.Cairn.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        assertThat(cli.execute("status", repo.toString(), "--infra", "dev", "--run", run.id(), "--state-dir", state.toString(), "--no-color"))
                .as(out.toString()).isZero();
        assertThat(out.toString()).as("cairn status shows what the comment shows").containsPattern("addons .*inexact: depends on changes in kubernetes")
                .doesNotContainPattern("(network|kubernetes|app_db) .*inexact");
        var page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/runs/dev/" + run.id())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.body()).as("the run page too").contains("inexact: depends on changes in kubernetes");
        head = newHead;
    }

    @Test
    @Order(3)
    void aNewerHeadStopsThePreviewAlreadyRunningAndTheCommentShowsTheNewerHead() throws Exception {
        git.checkout().setName("feature").call();
        edit("infrastructures/dev.yaml", "cidr: 10.30.0.0/16", "cidr: 10.40.0.0/16");
        var older = commit("dev: a fourth cidr");
        pullRef(older);
        var first = deliver("pull_request", pullRequest("synchronize", older, false, head));
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        var olderName = Json.MAPPER.readTree(first.body()).path("started").get(0).path("execution").asText();
        assertThat(server.executions().describe(olderName)).as("the drain after the request started it")
                .hasValueSatisfying(e -> assertThat(e.status()).isEqualTo(Executions.Status.RUNNING));
        // its run is under way (Prepare recorded it and set the pending status) when the newer head comes
        var started = Instant.now().plus(Duration.ofSeconds(60));
        while (github.statuses(older).isEmpty() && Instant.now().isBefore(started)) Thread.sleep(100);
        assertThat(github.statuses(older)).extracting(st -> st.path("state").asText()).containsExactly("pending");

        git.checkout().setName("feature").call();
        edit("infrastructures/dev.yaml", "cidr: 10.40.0.0/16", "cidr: 10.50.0.0/16");
        var newer = commit("dev: a fifth cidr");
        pullRef(newer);
        var second = deliver("pull_request", pullRequest("synchronize", newer, false, older));
        assertThat(second.statusCode()).as(second.body()).isEqualTo(202);
        assertThat(Json.MAPPER.readTree(second.body()).path("superseded")).extracting(JsonNode::asText).containsExactly(olderName);
        var newerName = Json.MAPPER.readTree(second.body()).path("started").get(0).path("execution").asText();

        var stopped = server.executions().await(olderName, RUN_LIMIT);
        assertThat(stopped.status()).as(stopped + "\n" + log).isEqualTo(Executions.Status.ABORTED);
        assertThat(stopped.error()).contains("Cancelled");
        assertThat(stopped.cause()).hasValueSatisfying(c -> assertThat(c).contains("superseded by head " + newer));
        assertThat(server.executions().await(newerName, RUN_LIMIT).status()).as(log.toString()).isEqualTo(Executions.Status.SUCCEEDED);

        // the stopped head's status is closed as superseded; the one comment shows the newer head only
        var deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (github.statuses(older).size() < 2 && Instant.now().isBefore(deadline)) Thread.sleep(200);
        assertThat(github.statuses(older)).extracting(st -> st.path("state").asText() + " " + st.path("description").asText())
                .hasSize(2).endsWith("failure superseded by a newer head");
        assertThat(github.statuses(newer)).extracting(st -> st.path("state").asText()).containsExactly("pending", "success");
        assertThat(github.calls()).filteredOn(c -> c.startsWith("POST /repos/acme/infra/issues/7/comments")).hasSize(1);
        assertThat(github.comment(7, "<!-- cairn:preview:dev -->")).contains("head `" + newer.substring(0, 12)).doesNotContain(older.substring(0, 12));
        var runs = new Workspace(state).runs().list("dev", 10);
        assertThat(runs).filteredOn(r -> r.revision().equals(older)).singleElement()
                .satisfies(r -> assertThat(r.error()).contains("superseded by head " + newer));
        head = newer;
    }

    @Test
    @Order(4)
    void closingWithoutMergeMarksTheCommentStaleAndNothingSecretWasEverSent() throws Exception {
        var response = deliver("pull_request", pullRequest("closed", head, false));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(response.body()).path("outcome").asText()).isEqualTo("stale");
        // the run of the head the PR was closed at (a superseded run may have the later id)
        var run = new Workspace(state).runs().list("dev", 10).stream().filter(r -> r.revision().equals(head)).findFirst().orElseThrow();
        assertThat(github.comment(7, "<!-- cairn:preview:dev -->")).contains("**Stale:**", "closed without merge")
                .as("the stale comment keeps its link").contains("Full log: [run `" + run.id() + "`](http://127.0.0.1:" + server.port() + "/runs/dev/" + run.id() + ")");
        assertThat(server.executions().list()).as("closing starts nothing (the push, and four PR heads)").hasSize(5);

        assertThat(sensitiveValue).isNotBlank();
        assertThat(github.bodies()).isNotEmpty().noneMatch(b -> b.contains(sensitiveValue)).noneMatch(b -> b.contains(GitHubStub.TOKEN));
    }

    @Test
    @Order(5)
    void aBranchBehindMainIsPlannedMergedIntoMainSoMainsLaterChangeIsNotShownReverted() throws Exception {
        // PR 9 branched before main's "tiny database" (applied), and changes only the SSO realm
        git.checkout().setName("behind").setCreateBranch(true).setStartPoint(first).call();
        edit("infrastructures/dev.yaml", "realm: acme", "realm: acme-sso");
        var behind = commit("dev: the SSO realm");
        var response = open(9, "behind", behind);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        var answer = Json.MAPPER.readTree(response.body());
        assertThat(answer.path("mergeBase").asText()).isEqualTo(first);
        var execution = server.executions().await(answer.path("started").get(0).path("execution").asText(), RUN_LIMIT);
        assertThat(execution.status()).as(execution + "\n" + log).isEqualTo(Executions.Status.SUCCEEDED);

        var run = new Workspace(state).runs().list("dev", 10).stream().filter(r -> r.revision().equals(behind)).findFirst().orElseThrow();
        assertThat(run.trigger()).isEqualTo("github:preview acme/infra#9 base " + first + " onto main@" + second);
        assertThat(run.stages().get("addons").plan().hasChanges()).as("the PR's own change").isTrue();
        assertThat(run.stages().get("app_db").status()).as("main's tiny database, which the branch lacks, is not planned back to micro")
                .isEqualTo(StageStatus.NO_CHANGES);
        assertThat(github.comment(9, "<!-- cairn:preview:dev -->")).contains("Base `main` at `" + second.substring(0, 12) + "` → head `"
                + behind.substring(0, 12) + "` (the branch is behind `main`: planned as merged into it", "branched from `" + first.substring(0, 12) + "`");
    }

    @Test
    @Order(6)
    void aPrWhoseCodeEchoesAnAppliedSecretIntoAnErrorNeverShowsIt() throws Exception {
        // PR 10's module code computes keycloak's admin password again and makes it nonsensitive() in a failing precondition
        git.checkout().setName("echo").setCreateBranch(true).setStartPoint(second).call();
        var addons = repo.resolve("modules/addons/main.tf");
        Files.writeString(addons, Files.readString(addons) + """

                resource "terraform_data" "guard" {
                  lifecycle {
                    precondition {
                      condition     = terraform_data.this.id == "nope"
                      error_message = "bad password ${nonsensitive("kc-${substr(sha256(terraform_data.this.id), 0, 20)}")} rejected"
                    }
                  }
                }
                """);
        var echo = commit("addons: a guard");
        var response = open(10, "echo", echo);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        var execution = server.executions().await(Json.MAPPER.readTree(response.body()).path("started").get(0).path("execution").asText(), RUN_LIMIT);
        assertThat(execution.status()).as(execution + "\n" + log).isIn(Executions.Status.SUCCEEDED, Executions.Status.FAILED);

        var workspace = new Workspace(state);
        var run = workspace.runs().list("dev", 20).stream().filter(r -> r.revision().equals(echo)).findFirst().orElseThrow();
        assertThat(run.stages().get("addons").status()).as(run.toString()).isEqualTo(StageStatus.FAILED);
        assertThat(run.stages().get("addons").log()).as(run + "\n" + log).isNotNull();
        var stored = new String(workspace.blobs().get(run.stages().get("addons").log()).orElseThrow(), StandardCharsets.UTF_8);
        assertThat(stored).as("the precondition's message, redacted").contains("bad password " + dev.cairn.reconciler.run.Redactor.MASK + " rejected")
                .doesNotContain(sensitiveValue);
        var page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/runs/dev/" + run.id())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.body()).contains(run.id()).doesNotContain(sensitiveValue);
        assertThat(Json.MAPPER.writeValueAsString(run)).doesNotContain(sensitiveValue);
        assertThat(github.bodies()).noneMatch(b -> b.contains(sensitiveValue));
        assertThat(log.toString()).doesNotContain(sensitiveValue);
    }

    // ------------------------------------------------------------------ helpers

    /** PR {@code number} of {@code branch} at {@code head} opened: its head kept at refs/pull/N/head, main checked out again, the event delivered. */
    private HttpResponse<String> open(int number, String branch, String head) throws Exception {
        var update = git.getRepository().updateRef("refs/pull/" + number + "/head");
        update.setNewObjectId(ObjectId.fromString(head));
        update.forceUpdate();
        git.checkout().setName("main").call();
        var body = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(pullRequest("opened", head, false));
        body.put("number", number);
        ((com.fasterxml.jackson.databind.node.ObjectNode) body.get("pull_request")).put("number", number);
        ((com.fasterxml.jackson.databind.node.ObjectNode) body.at("/pull_request/head")).put("ref", branch);
        return deliver("pull_request", Json.MAPPER.writeValueAsString(body));
    }

    /** The forge's ref of PR 7's head, as GitHub keeps it in the base repository. */
    /** Each CodeBuild start of the execution, as {@code STATE PROJECT STEP} (the local executor's TaskScheduled events). */
    private List<String> startedBuilds(String execution) {
        var builds = new java.util.ArrayList<String>();
        for (var event : server.executions().history(execution)) {
            if (!event.type().equals("TaskScheduled") || event.detail().isEmpty()) continue;
            var detail = event.detail().get();
            if (!detail.path("resource").asText().startsWith("arn:aws:states:::codebuild:startBuild")) continue;
            var step = "";
            for (var variable : detail.at("/parameters/EnvironmentVariablesOverride")) {
                if (variable.path("Name").asText().equals("CAIRN_STEP")) step = variable.path("Value").asText();
            }
            builds.add(event.state() + " " + detail.at("/parameters/ProjectName").asText() + " " + step);
        }
        return builds;
    }

    private void pullRef(String commit) throws Exception {
        var update = git.getRepository().updateRef("refs/pull/7/head");
        update.setNewObjectId(ObjectId.fromString(commit));
        update.forceUpdate();
        git.checkout().setName("main").call();
    }

    private String pullRequest(String action, String headSha, boolean merged) throws Exception {
        return pullRequest(action, headSha, merged, null);
    }

    /** @param before the previous head of a {@code synchronize}, or null */
    private String pullRequest(String action, String headSha, boolean merged, String before) throws Exception {
        var pr = Json.MAPPER.createObjectNode();
        pr.put("action", action).put("number", 7);
        if (before != null) pr.put("before", before);
        var pull = pr.putObject("pull_request");
        pull.put("number", 7).put("state", action.equals("closed") ? "closed" : "open").put("merged", merged);
        var repository = Json.MAPPER.createObjectNode().put("full_name", "acme/infra").put("clone_url", server.repository().url());
        pull.putObject("head").put("ref", "feature").put("sha", headSha).set("repo", repository.deepCopy());
        pull.putObject("base").put("ref", "main").put("sha", second).set("repo", repository.deepCopy());
        pr.set("repository", repository);
        pr.putObject("sender").put("login", "octocat");
        return Json.MAPPER.writeValueAsString(pr);
    }

    /** SHA-256 of every Terraform state file under the state dir (the stages' states and their backups), by path. */
    private Map<String, String> stateFiles() throws IOException {
        try (var files = Files.walk(state)) {
            var out = new TreeMap<String, String>();
            files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().contains(".tfstate"))
                    .filter(f -> !state.relativize(f).toString().contains("/.terraform/"))
                    .forEach(f -> out.put(state.relativize(f).toString(), PreviewHarness.sha256(f)));
            return out;
        }
    }

    private void edit(String file, String from, String to) throws IOException {
        PreviewHarness.edit(repo, file, from, to);
    }

    private String commit(String message) throws Exception {
        return PreviewHarness.commit(git, AUTHOR, message);
    }

    private HttpResponse<String> deliver(String event, String body) throws Exception {
        return PreviewHarness.deliverGitHub(http, server.port(), WEBHOOK_SECRET, event, body);
    }
}
