package dev.cairn.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.Workspace;
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
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How served runs fail, end to end under {@code cairn serve} with real Terraform on the
 * quickstart: a malformed manifest (pushed, or in a PR) is a failed run whose error names
 * {@code file:line:col}, with the lock or lease released and the PR told; a stage whose Terraform
 * fails records Terraform's own {@code Error:} line, never the Step Functions envelope; and a
 * preview of an infrastructure never applied plans what it can and defers the rest.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PreviewFailuresServeIT {
    static final String WEBHOOK_SECRET = "preview-failures-it-webhook-secret";
    static final PersonIdent AUTHOR = new PersonIdent("t", "t@example.com");
    static final Duration RUN_LIMIT = Duration.ofMinutes(6);

    @TempDir
    static Path tmp;
    Path repo;
    Path state;
    Git git;
    String base;
    LocalServer server;
    int pr = 10;
    final GitHubStub github = new GitHubStub();
    final StringWriter log = new StringWriter();
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void serve() throws Exception {
        repo = dev.cairn.cli.Examples.copy("quickstart", tmp.resolve("infra"));
        git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call();
        base = commit("quickstart");
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
    void aMalformedManifestPushIsAFailedRunNamingTheLineAndColumnAndReleasesTheLock() throws Exception {
        edit("infrastructures/dev.yaml", "cidr: 10.10.0.0/16", "cidr: [10.10.0.0/16");
        var bad = commit("dev: a broken cidr");
        var push = Json.MAPPER.createObjectNode();
        push.put("ref", "refs/heads/main").put("before", base).put("after", bad).put("created", false).put("deleted", false);
        push.putObject("repository").put("full_name", "acme/infra").put("clone_url", server.repository().url());
        push.putObject("pusher").put("name", "octocat");
        var response = deliver("push", Json.MAPPER.writeValueAsString(push));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        var started = Json.MAPPER.readTree(response.body()).path("started");
        assertThat(started).as(response.body()).hasSize(1);
        var execution = server.executions().await(started.get(0).path("execution").asText(), RUN_LIMIT);
        assertThat(execution.status()).as(execution + "\n" + log).isEqualTo(Executions.Status.FAILED);

        var run = new Workspace(state).runs().list("dev", 1).getFirst();
        assertThat(run.revision()).isEqualTo(bad);
        assertThat(run.action()).isEqualTo(RunAction.APPLY);
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.stages()).as("nothing ran").isEmpty();
        assertThat(run.error()).as("the first line is the diagnostic, as `cairn validate` prints it")
                .containsPattern("^infrastructures/dev\\.yaml:\\d+:\\d+: ").contains(bad);
        assertThat(new Workspace(state).locks().owner("dev")).as("the lock is released").isEmpty();

        // the fix goes to main; dev was never applied
        edit("infrastructures/dev.yaml", "cidr: [10.10.0.0/16", "cidr: 10.10.0.0/16");
        base = commit("dev: the cidr fixed");
    }

    @Test
    @Order(2)
    void aPreviewOfAMalformedManifestPostsAFailureStatusNamingTheLineAndColumn() throws Exception {
        var head = onBranch("broken", () -> edit("infrastructures/dev.yaml", "cidr: 10.10.0.0/16", "cidr: [10.10.0.0/16"));
        var dev = preview(head).get("dev");
        assertThat(dev).as("a preview of dev started").isNotNull();
        var run = run("dev", head);
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).containsPattern("^infrastructures/dev\\.yaml:\\d+:\\d+: ");
        assertThat(github.statuses(head)).extracting(st -> st.path("state").asText()).contains("failure");
        var failure = github.statuses(head).getLast();
        assertThat(failure.path("state").asText()).isEqualTo("failure");
        assertThat(failure.path("description").asText()).containsPattern("^preview failed: infrastructures/dev\\.yaml:\\d+:\\d+: ");
        assertThat(github.comment(pr, "<!-- cairn:preview:dev -->")).contains("The preview failed");
        assertThat(Files.list(state.resolve("locks")).map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".lock")))
                .as("the preview's lease is released").isEmpty();
    }

    @Test
    @Order(3)
    void aFailingTerraformStageRecordsTerraformsErrorLineNotTheEnvelope() throws Exception {
        var head = onBranch("undeclared", () -> edit("modules/backend/main.tf", "bucket = var.bucket_name", "bucket = var.bucket_nmae"));
        preview(head);
        var run = run("dev", head);
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        var backend = run.stage("backend");
        assertThat(backend.status()).isEqualTo(StageStatus.FAILED);
        assertThat(backend.error()).startsWith("Error: Reference to undeclared input variable").doesNotContain("{\"Build\"", "States.");
        var status = github.statuses(head).getLast();
        assertThat(status.path("state").asText()).isEqualTo("failure");
        assertThat(status.path("description").asText()).isEqualTo("preview failed: backend: Error: Reference to undeclared input variable");
        assertThat(github.comment(pr, "<!-- cairn:preview:dev -->")).contains("| `backend` | failed: Error: Reference to undeclared input variable")
                .doesNotContain("{\"Build\"");
    }

    @Test
    @Order(4)
    void aPreviewOfANewInfrastructurePlansWhatItCanAndDefersTheRest() throws Exception {
        var head = onBranch("staging", () -> {
            var dev = Files.readString(repo.resolve("infrastructures/dev.yaml"));
            Files.writeString(repo.resolve("infrastructures/staging.yaml"), dev.replace("name: dev", "name: staging")
                    .replace("acme-dev", "acme-staging").replace("dev.acme.example", "staging.acme.example"));
        });
        var staging = preview(head).get("staging");
        assertThat(staging).as("a preview of staging started").isNotNull();
        assertThat(staging.status()).as(staging + "\n" + log).isEqualTo(Executions.Status.SUCCEEDED);
        var run = run("staging", head);
        assertThat(run.status()).as(run.toString()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.stage("backend").status()).isEqualTo(StageStatus.PLANNED);
        assertThat(run.stage("backend").plan().hasChanges()).isTrue();
        assertThat(run.stage("kubernetes").status()).as("kubernetes reads network's outputs, known only after its apply")
                .isEqualTo(StageStatus.DEFERRED);
        assertThat(run.stage("addons").status()).isEqualTo(StageStatus.DEFERRED);
        assertThat(run.stages().values()).allSatisfy(s -> assertThat(s.status()).as(s.stage()).isIn(StageStatus.PLANNED, StageStatus.DEFERRED));
        var started = startedStages(staging.name());
        assertThat(started).as("a deferred stage starts no build").contains("backend").doesNotContain("kubernetes", "addons");
        assertThat(github.statuses(head).getLast().path("state").asText()).isEqualTo("success");
        var comment = github.comment(pr, "<!-- cairn:preview:staging -->");
        var deferred = run.stages().values().stream().filter(s -> s.status() == StageStatus.DEFERRED).count();
        assertThat(comment.lines().filter(l -> l.startsWith("| `network` |")).findFirst()).as("a new network's ids exist only once it is applied")
                .hasValueSatisfying(l -> assertThat(l).contains("vpc_id (known after apply)"));
        assertThat(comment).contains("| `kubernetes` | deferred: reads an input known only after an upstream stage applies")
                .contains(" · " + deferred + " deferred until upstream applies. Merging applies them.");
        assertThat(github.statuses(head).getLast().path("description").asText()).endsWith(" · " + deferred + " deferred until upstream applies");
        assertThat(comment.lines().filter(l -> l.startsWith("| `addons` |")).findFirst()).as("addons waits on the deferred kubernetes")
                .hasValueSatisfying(l -> assertThat(l).contains("deferred: ", "`kubernetes`", "deferred too"));
    }

    // ------------------------------------------------------------------ helpers

    interface Change {
        void apply() throws Exception;
    }

    /** A new PR (its own number) off main with one commit; the forge keeps its head at refs/pull/N/head. */
    private String onBranch(String branch, Change change) throws Exception {
        pr++;
        git.checkout().setName("main").call();
        git.checkout().setName(branch).setCreateBranch(true).call();
        change.apply();
        var head = commit(branch);
        var update = git.getRepository().updateRef("refs/pull/" + pr + "/head");
        update.setNewObjectId(ObjectId.fromString(head));
        update.forceUpdate();
        git.checkout().setName("main").call();
        return head;
    }

    /** Opens the PR and waits for each preview it started, by infrastructure. */
    private Map<String, Executions.Execution> preview(String head) throws Exception {
        var response = deliver("pull_request", pullRequest(head));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        var out = new java.util.TreeMap<String, Executions.Execution>();
        for (JsonNode started : Json.MAPPER.readTree(response.body()).path("started")) {
            out.put(started.path("infrastructure").asText(), server.executions().await(started.path("execution").asText(), RUN_LIMIT));
        }
        assertThat(out).as(response.body()).isNotEmpty();
        return out;
    }

    private Run run(String infrastructure, String head) {
        return new Workspace(state).runs().list(infrastructure, 20).stream().filter(r -> head.equals(r.revision())).findFirst().orElseThrow();
    }

    /** The stages whose build the execution started (CAIRN_STAGE of each CodeBuild start). */
    private java.util.List<String> startedStages(String execution) {
        var stages = new java.util.ArrayList<String>();
        for (var event : server.executions().history(execution)) {
            if (!event.type().equals("TaskScheduled") || event.detail().isEmpty()) continue;
            var detail = event.detail().get();
            if (!detail.path("resource").asText().startsWith("arn:aws:states:::codebuild:startBuild")) continue;
            for (var variable : detail.at("/parameters/EnvironmentVariablesOverride")) {
                if (variable.path("Name").asText().equals("CAIRN_STAGE")) stages.add(variable.path("Value").asText());
            }
        }
        return stages;
    }

    private String pullRequest(String headSha) throws Exception {
        var body = Json.MAPPER.createObjectNode();
        body.put("action", "opened").put("number", pr);
        var pull = body.putObject("pull_request");
        pull.put("number", pr).put("state", "open").put("merged", false);
        var repository = Json.MAPPER.createObjectNode().put("full_name", "acme/infra").put("clone_url", server.repository().url());
        pull.putObject("head").put("ref", "feature-" + pr).put("sha", headSha).set("repo", repository.deepCopy());
        pull.putObject("base").put("ref", "main").put("sha", base).set("repo", repository.deepCopy());
        body.set("repository", repository);
        body.putObject("sender").put("login", "octocat");
        return Json.MAPPER.writeValueAsString(body);
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
