package dev.cairn.cli.serve;

import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.Workspace;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
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
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fork's pull request under {@code cairn serve}: its head is in another repository, the
 * quickstart's {@code cairn.yaml} does not allow fork previews, so no run is started (terraform
 * plan would run the fork's code) and the PR gets one comment, posted through a recording GitHub
 * API, saying why and how to allow it. A second delivery of the same PR edits that comment.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PreviewForkServeIT {
    static final String WEBHOOK_SECRET = "fork-it-webhook-secret";
    static final PersonIdent AUTHOR = new PersonIdent("t", "t@example.com");
    static final String FORK_MARKER = "<!-- cairn:preview:fork-refused -->";

    @TempDir
    static Path tmp;
    Path repo;
    Path state;
    Git git;
    String base;
    String head;
    LocalServer server;
    final GitHubStub github = new GitHubStub();
    final StringWriter log = new StringWriter();
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void serve() throws Exception {
        var root = Path.of(System.getProperty("cairn.repoRoot"));
        repo = dev.cairn.cli.Examples.copy("quickstart", tmp.resolve("infra"));
        git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call();
        base = commit("quickstart");
        // the fork's branch changes dev; GitHub keeps a fork PR's head at refs/pull/9/head of the base repository too
        git.checkout().setName("fork-feature").setCreateBranch(true).call();
        edit("infrastructures/dev.yaml", "cidr: 10.10.0.0/16", "cidr: 10.99.0.0/16");
        head = commit("dev: the fork's cidr");
        var update = git.getRepository().updateRef("refs/pull/9/head");
        update.setNewObjectId(ObjectId.fromString(head));
        update.forceUpdate();
        git.checkout().setName("main").call();
        state = tmp.resolve("state");
        github.start();
        server = LocalServer.start(new LocalServer.Options(repo, root.resolve("template.yaml"), state, 0,
                Map.of("CAIRN_GITHUB_WEBHOOK_SECRET", WEBHOOK_SECRET, "CAIRN_GITHUB_TOKEN", GitHubStub.TOKEN, "CAIRN_GITHUB_API_URL", github.url()),
                new PrintWriter(log, true)));
    }

    @AfterAll
    void stop() {
        if (server != null) server.stop();
        github.stop();
        if (git != null) git.close();
    }

    @Test
    void aForkPullRequestStartsNoPreviewAndIsToldWhyInAComment() throws Exception {
        assertThat(Files.readString(repo.resolve("cairn.yaml"))).as("the quickstart does not allow fork previews").doesNotContain("forks: true");
        var response = deliver(pullRequest("opened"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        var answer = Json.MAPPER.readTree(response.body());
        assertThat(answer.path("outcome").asText()).isEqualTo("fork-refused");
        assertThat(answer.path("told").asBoolean()).isTrue();
        assertThat(answer.path("started").isMissingNode() || answer.path("started").isEmpty()).as(response.body()).isTrue();
        assertThat(answer.path("message").asText()).contains("its head is in another repository (someone/infra-fork)");

        assertThat(server.executions().list()).as("no run was started").isEmpty();
        assertThat(new Workspace(state).runs().list("dev", 10)).as("no run was recorded").isEmpty();
        assertThat(github.calls()).filteredOn(c -> c.startsWith("POST /repos/acme/infra/issues/9/comments")).hasSize(1);
        assertThat(github.calls()).as("no commit status: nothing runs").noneMatch(c -> c.contains("/statuses/"));
        assertThat(github.comment(9, FORK_MARKER)).contains("**Cairn: no plan preview**", "acme/infra#9",
                "its head is in another repository (someone/infra-fork)", "terraform plan would run that code",
                "set previews: {forks: true} in cairn.yaml on main");
        assertThat(github.authorizations()).containsOnly("Bearer " + GitHubStub.TOKEN);

        // the fork pushes again: still nothing runs, and the one comment is edited rather than repeated
        var again = deliver(pullRequest("synchronize"));
        assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
        assertThat(Json.MAPPER.readTree(again.body()).path("outcome").asText()).isEqualTo("fork-refused");
        assertThat(server.executions().list()).isEmpty();
        assertThat(github.calls()).filteredOn(c -> c.startsWith("POST /repos/acme/infra/issues/9/comments")).hasSize(1);
        assertThat(github.calls()).filteredOn(c -> c.equals("PATCH /repos/acme/infra/issues/comments/1")).hasSize(1);
        assertThat(github.comment(9, FORK_MARKER)).contains("its head is in another repository (someone/infra-fork)");
        assertThat(github.bodies()).noneMatch(b -> b.contains(GitHubStub.TOKEN));
        assertThat(log.toString()).doesNotContain(GitHubStub.TOKEN);
    }

    private String pullRequest(String action) throws Exception {
        var pr = Json.MAPPER.createObjectNode();
        pr.put("action", action).put("number", 9);
        var pull = pr.putObject("pull_request");
        pull.put("number", 9).put("state", "open").put("merged", false);
        var repository = Json.MAPPER.createObjectNode().put("full_name", "acme/infra").put("clone_url", server.repository().url());
        var fork = Json.MAPPER.createObjectNode().put("full_name", "someone/infra-fork").put("clone_url", "https://github.com/someone/infra-fork.git");
        pull.putObject("head").put("ref", "fork-feature").put("sha", head).set("repo", fork);
        pull.putObject("base").put("ref", "main").put("sha", base).set("repo", repository.deepCopy());
        pr.set("repository", repository);
        pr.putObject("sender").put("login", "someone");
        return Json.MAPPER.writeValueAsString(pr);
    }

    private void edit(String file, String from, String to) throws IOException {
        PreviewHarness.edit(repo, file, from, to);
    }

    private String commit(String message) throws Exception {
        return PreviewHarness.commit(git, AUTHOR, message);
    }

    private HttpResponse<String> deliver(String body) throws Exception {
        return PreviewHarness.deliverGitHub(http, server.port(), WEBHOOK_SECRET, "pull_request", body);
    }
}
