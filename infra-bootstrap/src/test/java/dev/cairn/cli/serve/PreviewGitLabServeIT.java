package dev.cairn.cli.serve;

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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A GitLab merge request's plan preview under {@code cairn serve}, end to end with real Terraform
 * on a copy of the quickstart whose addons module has one more sensitive output, derived from the
 * Keycloak realm (so a preview plans its new value): dev is applied by a GitLab push first; a
 * {@code Merge Request Hook} (token in {@code X-Gitlab-Token}) {@code open} for a branch that
 * changes dev's cidr and realm runs one preview of dev (no lock taken, no state written) and
 * posts one note and a success status through a recording GitLab API; {@code update} with a new
 * head edits that note; an MR that changes no infrastructure gets no note; {@code close} marks
 * the note stale. Neither the token nor any value of a sensitive output, before or after the
 * change, is ever sent.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PreviewGitLabServeIT {
    static final String WEBHOOK_TOKEN = "gitlab-preview-it-webhook-token";
    static final PersonIdent AUTHOR = new PersonIdent("t", "t@example.com");
    static final Duration RUN_LIMIT = Duration.ofMinutes(6);
    static final String MARKER = "<!-- cairn:preview:dev -->";
    /** This test's own sensitive output: known at plan time, so a realm change plans its new value. */
    static final String SECRET_OUTPUT = """

            output "keycloak_client_secret" {
              description = "A client secret derived from the realm (this test's own)."
              value       = "cs-${substr(sha256(var.keycloak.realm), 0, 24)}"
              sensitive   = true
            }
            """;

    @TempDir
    static Path tmp;
    Path repo;
    Path state;
    Git git;
    String first;
    String second;
    String head;
    String newHead;
    LocalServer server;
    final List<String> sensitiveValues = new ArrayList<>();
    final GitLabStub gitlab = new GitLabStub();
    final StringWriter log = new StringWriter();
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void serve() throws Exception {
        var root = Path.of(System.getProperty("cairn.repoRoot"));
        repo = dev.cairn.cli.Examples.copy("quickstart", tmp.resolve("infra"));
        Files.writeString(repo.resolve("modules/addons/main.tf"), SECRET_OUTPUT, java.nio.file.StandardOpenOption.APPEND);
        git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call();
        first = commit("quickstart, with a client secret");
        edit("infrastructures/dev.yaml", "db_size: micro", "db_size: tiny");
        second = commit("dev: a tiny database");
        state = tmp.resolve("state");
        gitlab.start();
        server = LocalServer.start(new LocalServer.Options(repo, root.resolve("template.yaml"), state, 0,
                Map.of("CAIRN_GITLAB_WEBHOOK_TOKEN", WEBHOOK_TOKEN, "CAIRN_GITLAB_TOKEN", GitLabStub.TOKEN, "CAIRN_GITLAB_API_URL", gitlab.url()),
                new PrintWriter(log, true)));
    }

    @AfterAll
    void stop() {
        if (server != null) server.stop();
        gitlab.stop();
        if (git != null) git.close();
    }

    @Test
    @Order(1)
    void anOpenedMergeRequestPreviewsDevWithoutItsLockAndPostsOneNoteAndASuccessStatus() throws Exception {
        // dev applied by a GitLab push, as it would be before any MR
        var applied = deliver("Push Hook", push(first, second));
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(202);
        var apply = server.executions().await(Json.MAPPER.readTree(applied.body()).path("started").get(0).path("execution").asText(), RUN_LIMIT);
        assertThat(apply.status()).as(apply + "\n" + log).isEqualTo(Executions.Status.SUCCEEDED);
        var workspace = new Workspace(state);
        var addons = workspace.outputs().all("dev").get("addons").values();
        var secret = String.valueOf(addons.get("keycloak_client_secret").value());
        assertThat(secret).as("the module's formula, on dev's realm").isEqualTo(clientSecret("acme"));
        sensitiveValues.add(secret);
        sensitiveValues.add(String.valueOf(addons.get("keycloak_admin_password").value()));
        var outputsBefore = Json.MAPPER.writeValueAsString(workspace.outputs().all("dev"));
        var statesBefore = stateFiles();
        assertThat(statesBefore).as("the apply left Terraform state").isNotEmpty();

        // an MR branch off main that changes dev's cidr and realm (so the client secret); GitLab keeps its head at refs/merge-requests/7/head
        git.checkout().setName("feature").setCreateBranch(true).call();
        edit("infrastructures/dev.yaml", "cidr: 10.10.0.0/16", "cidr: 10.20.0.0/16");
        edit("infrastructures/dev.yaml", "realm: acme }", "realm: acme-open }");
        head = commit("dev: another cidr, another realm");
        mergeRequestRef(7, head);
        sensitiveValues.add(clientSecret("acme-open"));

        var holder = new LockStore.LockOwner("20261202T000000Z-someone", "someone-else", 1, Instant.now(), Instant.now().plus(Duration.ofHours(1)),
                "arn:aws:states:local:000000000000:execution:cairn-reconcile:someone-else");
        workspace.locks().acquire("dev", holder);

        var response = deliver("Merge Request Hook", mergeRequest(7, "open", head, null));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        var answer = Json.MAPPER.readTree(response.body());
        assertThat(answer.path("started")).hasSize(1);
        assertThat(answer.path("started").get(0).path("infrastructure").asText()).isEqualTo("dev");
        var execution = server.executions().await(answer.path("started").get(0).path("execution").asText(), RUN_LIMIT);
        assertThat(execution.status()).as(execution + "\n" + log).isEqualTo(Executions.Status.SUCCEEDED);

        var run = workspace.runs().list("dev", 1).getFirst();
        assertThat(run.action()).isEqualTo(RunAction.PLAN);
        assertThat(run.status()).as(run.toString()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.revision()).isEqualTo(head);
        assertThat(run.trigger()).isEqualTo("gitlab:preview acme/infra!7 base " + second + " onto main@" + second);
        assertThat(run.stages().get("network").status()).isEqualTo(StageStatus.PLANNED);
        assertThat(run.stages().get("network").plan().outputChanges()).containsExactly("vpc_cidr");
        assertThat(run.stages().get("addons").plan().outputChanges()).as("the realm changes the client secret")
                .contains("keycloak_client_secret");
        assertThat(run.stages().values()).allSatisfy(s -> {
            assertThat(s.status()).as(s.stage()).isIn(StageStatus.PLANNED, StageStatus.NO_CHANGES);
            assertThat(s.planKey()).as(s.stage()).isNull();
        });
        assertThat(workspace.locks().owner("dev")).as("the other holder's lock was never touched").contains(holder);
        assertThat(stateFiles()).as("no Terraform state was written").isEqualTo(statesBefore);
        assertThat(Json.MAPPER.writeValueAsString(workspace.outputs().all("dev"))).as("the outputs are the apply's").isEqualTo(outputsBefore);
        workspace.locks().release("dev", holder.runId());

        // on the MR: one note for dev with its per-stage summary; running then success on the head
        assertThat(gitlab.calls()).filteredOn(c -> c.equals("POST " + GitLabStub.PROJECT + "merge_requests/7/notes")).hasSize(1);
        assertThat(gitlab.notes(7)).singleElement().satisfies(note -> assertThat(note).contains(MARKER, "Cairn plan preview: `dev`",
                "| `network` | `+", "| `addons` |", "Base `main` at `" + second.substring(0, 12), "head `" + head.substring(0, 12),
                "/runs/dev/" + run.id()));
        assertThat(gitlab.statuses(head)).extracting(st -> st.path("state").asText()).containsExactly("running", "success");
        assertThat(gitlab.statuses(head)).allSatisfy(st -> assertThat(st.path("name").asText()).isEqualTo("cairn/plan/dev"));
        var inexact = run.stages().values().stream().filter(s -> s.inexactBecause() != null).count();
        assertThat(gitlab.statuses(head).getLast().path("description").asText()).as("with the stages whose plans read the new cidr, inexact")
                .matches("\\+\\d+ ~\\d+ -\\d+ in \\d+ stages?" + (inexact == 0 ? "" : " · " + inexact + " inexact"));
        assertThat(gitlab.statuses(head).getLast().path("target_url").asText()).isEqualTo("http://127.0.0.1:" + server.port() + "/runs/dev/" + run.id());
        assertThat(gitlab.tokens()).containsOnly(GitLabStub.TOKEN);
    }

    @Test
    @Order(2)
    void anUpdateWithANewHeadEditsTheSameNoteAndPostsANewStatus() throws Exception {
        git.checkout().setName("feature").call();
        edit("infrastructures/dev.yaml", "cidr: 10.20.0.0/16", "cidr: 10.30.0.0/16");
        edit("infrastructures/dev.yaml", "realm: acme-open }", "realm: acme-update }");
        newHead = commit("dev: yet another cidr and realm");
        mergeRequestRef(7, newHead);
        var response = deliver("Merge Request Hook", mergeRequest(7, "update", newHead, head));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        var name = Json.MAPPER.readTree(response.body()).path("started").get(0).path("execution").asText();
        assertThat(server.executions().await(name, RUN_LIMIT).status()).as(log.toString()).isEqualTo(Executions.Status.SUCCEEDED);

        assertThat(gitlab.calls()).filteredOn(c -> c.equals("POST " + GitLabStub.PROJECT + "merge_requests/7/notes")).as("never a second note").hasSize(1);
        assertThat(gitlab.calls()).filteredOn(c -> c.equals("PUT " + GitLabStub.PROJECT + "merge_requests/7/notes/100")).hasSize(1);
        assertThat(gitlab.notes(7)).singleElement().satisfies(note -> assertThat(note)
                .contains("head `" + newHead.substring(0, 12)).doesNotContain(head.substring(0, 12)));
        assertThat(gitlab.statuses(newHead)).extracting(st -> st.path("state").asText()).containsExactly("running", "success");
        assertThat(gitlab.statuses(head)).as("the old head's statuses stay as they were").hasSize(2);
        var run = new Workspace(state).runs().list("dev", 1).getFirst();
        assertThat(run.revision()).isEqualTo(newHead);
        assertThat(run.trigger()).isEqualTo("gitlab:preview acme/infra!7 base " + second + " onto main@" + second);
    }

    @Test
    @Order(3)
    void aMergeRequestChangingNoInfrastructureGetsNoNote() throws Exception {
        git.checkout().setName("docs").setCreateBranch(true).setStartPoint("main").call();
        Files.writeString(repo.resolve("NOTES.md"), "# notes\n");
        var docs = commit("notes, nothing else");
        mergeRequestRef(8, docs);
        var executions = server.executions().list().size();
        var calls = gitlab.calls().size();

        var response = deliver("Merge Request Hook", mergeRequest(8, "open", docs, null));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        var answer = Json.MAPPER.readTree(response.body());
        assertThat(answer.path("outcome").asText()).isEqualTo("nothing-started");
        assertThat(answer.path("started")).isEmpty();
        assertThat(server.executions().list()).as("nothing started").hasSize(executions);
        assertThat(gitlab.notes(8)).isEmpty();
        assertThat(gitlab.statuses(docs)).isEmpty();
        assertThat(gitlab.calls()).as("GitLab is not called at all").hasSize(calls);
    }

    @Test
    @Order(4)
    void closingWithoutMergeMarksTheNoteStale() throws Exception {
        var executions = server.executions().list().size();
        var response = deliver("Merge Request Hook", mergeRequest(7, "close", newHead, null));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(response.body()).path("outcome").asText()).isEqualTo("stale");
        assertThat(gitlab.notes(7)).singleElement().satisfies(note -> assertThat(note).contains("**Stale:**", "closed without merge",
                "head `" + newHead.substring(0, 12)));
        assertThat(server.executions().list()).as("closing starts nothing").hasSize(executions);
    }

    @Test
    @Order(5)
    void noSensitiveValueBeforeOrAfterTheChangeNorTheTokenWasEverSent() throws Exception {
        // the last head, merged and applied for real: its client secret is the value the update's preview planned to change to
        git.checkout().setName("main").call();
        git.merge().include(ObjectId.fromString(newHead)).setFastForward(org.eclipse.jgit.api.MergeCommand.FastForwardMode.FF_ONLY).call();
        assertThat(git.getRepository().resolve("refs/heads/main").name()).isEqualTo(newHead);
        var applied = deliver("Push Hook", push(second, newHead));
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(202);
        var apply = server.executions().await(Json.MAPPER.readTree(applied.body()).path("started").get(0).path("execution").asText(), RUN_LIMIT);
        assertThat(apply.status()).as(apply + "\n" + log).isEqualTo(Executions.Status.SUCCEEDED);
        var addons = new Workspace(state).outputs().all("dev").get("addons").values();
        var secret = String.valueOf(addons.get("keycloak_client_secret").value());
        assertThat(secret).as("a new value, by the module's formula").isEqualTo(clientSecret("acme-update")).isNotIn(sensitiveValues);
        sensitiveValues.add(secret);
        sensitiveValues.add(String.valueOf(addons.get("keycloak_admin_password").value()));

        assertThat(sensitiveValues).allSatisfy(v -> assertThat(v).hasSizeGreaterThan(10));
        assertThat(gitlab.bodies()).hasSizeGreaterThanOrEqualTo(6).allSatisfy(body -> {
            assertThat(body).doesNotContain(GitLabStub.TOKEN).doesNotContain(WEBHOOK_TOKEN);
            sensitiveValues.forEach(v -> assertThat(body).doesNotContain(v));
        });
        assertThat(log.toString()).doesNotContain(GitLabStub.TOKEN).doesNotContain(WEBHOOK_TOKEN);
        sensitiveValues.forEach(v -> assertThat(log.toString()).doesNotContain(v));
        // nor on the preview runs' pages, which the note and statuses link
        var previews = new Workspace(state).runs().list("dev", 10).stream().filter(r -> r.action() == RunAction.PLAN).toList();
        assertThat(previews).extracting(r -> r.revision()).containsExactlyInAnyOrder(head, newHead);
        for (var run : previews) {
            var page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/runs/dev/" + run.id())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            sensitiveValues.forEach(v -> assertThat(page.body()).as(run.id()).doesNotContain(v));
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The client secret this test's addons module derives from a realm, as Terraform computes it. */
    private static String clientSecret(String realm) throws Exception {
        var hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(realm.getBytes(StandardCharsets.UTF_8)));
        return "cs-" + hex.substring(0, 24);
    }

    /** The forge's ref of MR {@code iid}'s head, as GitLab keeps it in the target project. */
    private void mergeRequestRef(long iid, String commit) throws Exception {
        var update = git.getRepository().updateRef("refs/merge-requests/" + iid + "/head");
        update.setNewObjectId(ObjectId.fromString(commit));
        update.forceUpdate();
        git.checkout().setName("main").call();
        gitlab.mergeRequest(iid, commit);
    }

    private com.fasterxml.jackson.databind.node.ObjectNode project() {
        return Json.MAPPER.createObjectNode().put("id", 15).put("path_with_namespace", "acme/infra")
                .put("git_http_url", server.repository().url()).put("web_url", "https://gitlab.example.com/acme/infra");
    }

    private String push(String before, String after) throws Exception {
        var push = Json.MAPPER.createObjectNode();
        push.put("object_kind", "push").put("ref", "refs/heads/main").put("before", before).put("after", after).put("user_username", "jsmith");
        push.set("project", project());
        return Json.MAPPER.writeValueAsString(push);
    }

    /** @param oldrev the previous head of an {@code update}, or null */
    private String mergeRequest(long iid, String action, String headSha, String oldrev) throws Exception {
        var hook = Json.MAPPER.createObjectNode();
        hook.put("object_kind", "merge_request").put("event_type", "merge_request");
        hook.putObject("user").put("username", "jsmith");
        hook.set("project", project());
        var attributes = hook.putObject("object_attributes");
        attributes.put("iid", iid).put("action", action).put("state", action.equals("close") ? "closed" : "opened")
                .put("target_branch", "main").put("source_branch", "feature").put("source_project_id", 15).put("target_project_id", 15);
        attributes.set("source", project());
        attributes.set("target", project());
        attributes.putObject("last_commit").put("id", headSha);
        if (oldrev != null) attributes.put("oldrev", oldrev);
        return Json.MAPPER.writeValueAsString(hook);
    }

    private HttpResponse<String> deliver(String event, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/webhooks/gitlab"))
                .header("Content-Type", "application/json").header("X-Gitlab-Event", event)
                .header("X-Gitlab-Event-UUID", UUID.randomUUID().toString()).header("X-Gitlab-Token", WEBHOOK_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
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
}
