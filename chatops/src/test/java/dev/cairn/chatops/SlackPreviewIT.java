package dev.cairn.chatops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cairn.functions.GitMirror;
import dev.cairn.functions.pr.PullRequestFlow;
import dev.cairn.functions.pr.PullRequestPayloads;
import dev.cairn.reconciler.change.ChangeDetector;
import dev.cairn.reconciler.launch.QueuedRunLauncher;
import dev.cairn.reconciler.manifest.RepoPath;
import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.store.AuditLog;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.transport.RefSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /infra plan INFRA --pr N} end to end: signed slash commands through Bolt on Jetty
 * ({@link SlackServlet}), a real JGit repository (a bare {@code file://} origin holding the PR
 * heads at {@code refs/pull/N/head} and {@code refs/merge-requests/N/head}, as the forges keep
 * them), and a local HTTP server standing in for the GitHub and GitLab APIs that records every
 * call. The run started is the webhook's own: same trigger, same name (a delivery of the same
 * head through {@link PullRequestFlow} finds it already started); every refusal answers clearly.
 */
class SlackPreviewIT {
    static final String SECRET = "preview-signing-secret";
    static final String GITHUB_TOKEN = "ghp_slackPreviewTokenNeverShown";
    static final String GITLAB_TOKEN = "glpat-slackPreviewTokenNeverShown";
    static final ObjectMapper JSON = new ObjectMapper();
    static final PersonIdent AUTHOR = new PersonIdent("t", "t@example.com", Instant.parse("2026-01-01T00:00:00Z"), java.time.ZoneOffset.UTC);
    static final String CONFIG = "apiVersion: cairn.dev/v1\nkind: Repository\nbranch: main\ndefaults:\n  provider: { cloud: none }\n";

    @TempDir
    Path tmp;
    Path work;
    Path bare;
    Git git;
    String base;
    Path state;
    HttpServer forge;
    final List<String> forgeCalls = new CopyOnWriteArrayList<>();
    final List<String> forgeAuth = new CopyOnWriteArrayList<>();
    final Map<String, ObjectNode> pulls = new ConcurrentHashMap<>();
    final Map<String, ObjectNode> mergeRequests = new ConcurrentHashMap<>();
    SlackWebApi slack;
    final List<Server> jettys = new ArrayList<>();
    final HttpClient http = HttpClient.newHttpClient();

    static String manifest(String name, String cidr) {
        return """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: %s
                spec:
                  policy: { operators: [U0OPERATOR] }
                  modules:
                    - name: network
                      source: ./modules/network
                      inputs:
                        cidr: "%s"
                """.formatted(name, cidr);
    }

    @BeforeEach
    void setUp() throws Exception {
        bare = tmp.resolve("origin.git");
        Git.init().setBare(true).setInitialBranch("main").setGitDir(bare.toFile()).setDirectory(bare.toFile()).call().close();
        work = tmp.resolve("work");
        git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call();
        write("cairn.yaml", CONFIG);
        write("infrastructures/dev.yaml", manifest("dev", "10.0.0.0/16"));
        write("infrastructures/prod.yaml", manifest("prod", "10.1.0.0/16"));
        write("modules/network/main.tf", "variable \"cidr\" {}\nresource \"terraform_data\" \"vpc\" { input = var.cidr }\n");
        base = commit("base");
        push("refs/heads/main", "refs/heads/main");
        push("refs/heads/main", "refs/heads/release");
        state = tmp.resolve("state");

        forge = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        forge.createContext("/", this::answer);
        forge.start();
        slack = new SlackWebApi();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (var jetty : jettys) jetty.stop();
        forge.stop(0);
        slack.close();
        git.close();
    }

    @Test
    void statusNamesTheLastApplyAsTheInfrastructuresRunAndANewerPreviewBesideIt() throws Exception {
        var runs = new Workspace(state).runs();
        var t0 = Instant.parse("2026-12-01T10:00:00Z");
        runs.put(new dev.cairn.reconciler.run.Run("20261201T100000Z-a1b2c3", "dev", dev.cairn.reconciler.run.RunAction.APPLY,
                dev.cairn.reconciler.run.RunStatus.SUCCEEDED, "github:push d-1", base, t0, t0.plusSeconds(60), List.of(), new java.util.LinkedHashMap<>(), null, 0));
        var endpoint = serve(github());
        assertThat(text(slash(endpoint, "U0OPERATOR", "status dev", "t-status-1"))).contains("apply succeeded (`20261201T100000Z-a1b2c3`)")
                .doesNotContain("preview");

        runs.put(new dev.cairn.reconciler.run.Run("20261201T110000Z-p0123456789abcdef", "dev", dev.cairn.reconciler.run.RunAction.PLAN,
                dev.cairn.reconciler.run.RunStatus.SUCCEEDED, Previews.trigger("github", "acme/infra#7", base, "main", base), base,
                t0.plusSeconds(3600), t0.plusSeconds(3660), List.of(), new java.util.LinkedHashMap<>(), null, 0));
        assertThat(text(slash(endpoint, "U0OPERATOR", "status dev", "t-status-2")))
                .as("the preview is not the infrastructure's last run; it is named beside it")
                .contains("apply succeeded (`20261201T100000Z-a1b2c3`)")
                .contains("latest preview: acme/infra#7 succeeded (`20261201T110000Z-p0123456789abcdef`, nothing applied)");
    }

    // ------------------------------------------------------------------ GitHub

    @Test
    void aGitHubPrPreviewIsTheWebhooksRunAndItsResultGoesToThePr() throws Exception {
        var head = branch("feature", "infrastructures/dev.yaml", manifest("dev", "10.7.0.0/16"), "refs/pull/7/head");
        pull(7, head, "main", "acme/infra", "open");
        var endpoint = serve(github());

        var answer = slash(endpoint, "U0OPERATOR", "plan dev --pr 7", "t-pr-1");
        assertThat(answer.path("response_type").asText()).as(answer.toString()).isEqualTo("in_channel");
        var text = text(answer);
        assertThat(text).contains("preview of `dev` for acme/infra#7 at head `" + head.substring(0, 12) + "` started: run `")
                .contains("https://github.com/acme/infra/pull/7").contains("`cairn/plan/dev`");
        assertThat(forgeCalls).containsExactly("GET /repos/acme/infra/pulls/7");
        assertThat(forgeAuth).containsOnly("Bearer " + GITHUB_TOKEN);

        var run = queued().getFirst();
        assertThat(queued()).hasSize(1);
        assertThat(run.path("infrastructure").asText()).isEqualTo("dev");
        assertThat(run.path("action").asText()).isEqualTo("PLAN");
        assertThat(run.path("commit").asText()).isEqualTo(head);
        assertThat(run.path("ref").asText()).isEqualTo("refs/pull/7/head");
        assertThat(run.path("trigger").asText()).isEqualTo("github:preview acme/infra#7 base " + base + " onto main@" + base);
        var name = run.path("name").asText();
        assertThat(text).contains("run `" + name + "`");

        // the webhook's delivery of the same head maps to the run the command started
        var flow = new PullRequestFlow(new Workspace(state).deliveries(), new Workspace(state).audit(), new QueuedRunLauncher(state.resolve("queue")),
                new ChangeDetector(RepoPath.ROOT), new GitMirror(tmp.resolve("git-cache"), Optional::empty, "x-access-token"),
                Optional.of(bare.toUri().toString()), Clock.systemUTC(), Map.of());
        var event = PullRequestPayloads.github("d-1", pullRequestEvent(7, head)).event().orElseThrow();
        var delivered = flow.handle(event);
        assertThat(delivered.status()).as(delivered.body().toString()).isEqualTo(202);
        assertThat(delivered.body().get("started").toString()).contains("execution=" + name).contains("alreadyStarted=true");
        assertThat(queued()).hasSize(1);
        assertThat(PullRequestFlow.runName("dev", event)).isEqualTo(name);

        // a retry of the command (Slack's X-Slack-Retry-Num) starts nothing new either
        var again = slash(endpoint, "U0OPERATOR", "plan dev --pr #7", "t-pr-1");
        assertThat(text(again)).contains("already ran or is running").contains("a preview runs once per head").contains(name);
        assertThat(queued()).hasSize(1);

        var audit = new Workspace(state).audit().list("dev", 10);
        assertThat(audit).filteredOn(e -> e.actor().equals("slack:U0OPERATOR")).extracting(AuditLog.Entry::action, AuditLog.Entry::outcome)
                .containsOnly(org.assertj.core.groups.Tuple.tuple("plan", "started"));
        assertThat(audit).filteredOn(e -> e.actor().equals("slack:U0OPERATOR")).first()
                .satisfies(e -> assertThat(e.details()).containsEntry("pullRequest", "acme/infra#7").containsEntry("execution", name));
        assertThat(slack.calls).noneMatch(c -> c.body().contains(GITHUB_TOKEN));
    }

    @Test
    void everyRefusalSaysWhyAndStartsNothing() throws Exception {
        var dev = branch("feature", "infrastructures/dev.yaml", manifest("dev", "10.7.0.0/16"), "refs/pull/7/head");
        pull(7, dev, "main", "acme/infra", "open");
        pull(8, dev, "release", "acme/infra", "open");
        push("refs/heads/feature", "refs/pull/8/head");
        var docs = branch("docs", "README.md", "docs only\n", "refs/pull/9/head");
        pull(9, docs, "main", "acme/infra", "open");
        push("refs/heads/feature", "refs/pull/10/head");
        pull(10, dev, "main", "mallory/infra", "open");
        pull(11, dev, "main", "acme/infra", "closed");
        pull(12, dev, "main", "acme/infra", "closed");
        pulls.get("12").put("merged", true).put("merged_at", "2026-12-01T00:00:00Z");
        var endpoint = serve(github());

        assertThat(refusal(endpoint, "plan dev --pr 99")).contains("there is no pull request acme/infra#99").contains("404");
        assertThat(refusal(endpoint, "plan dev --pr 8")).contains("acme/infra#8 targets `release`, not the tracked branch `main`");
        assertThat(refusal(endpoint, "plan dev --pr 9")).contains("acme/infra#9 changes no infrastructure").contains("nothing to preview");
        assertThat(refusal(endpoint, "plan prod --pr 7")).contains("does not change `prod` (it changes `dev`)").contains("`/infra plan dev --pr 7`");
        assertThat(refusal(endpoint, "plan dev --pr 10")).contains("another repository (mallory/infra)").contains("previews: {forks: true}");
        assertThat(refusal(endpoint, "plan dev --pr 11")).contains("acme/infra#11 is closed: nothing to preview");
        assertThat(refusal(endpoint, "plan dev --pr 12")).contains("acme/infra#12 is merged").contains("merge commit's push reconciles");
        // the grammar
        assertThat(refusal(endpoint, "plan dev --pr seven")).contains("`seven` is not a pull request number");
        assertThat(refusal(endpoint, "apply dev --pr 7")).contains("only `/infra plan INFRA --pr N`");
        assertThat(refusal(endpoint, "plan dev --pr 7 --stage network")).contains("--stage and --pr do not go together");
        assertThat(refusal(endpoint, "plan dev --prr 7")).contains("did you mean `--pr`?");
        // the policy: a plan of dev is its operators'
        assertThat(refusal(endpoint, "U0STRANGER", "plan dev --pr 7")).contains("refused");
        assertThat(refusal(endpoint, "help")).contains("/infra plan INFRA --pr N");

        assertThat(queued()).isEmpty();
        assertThat(new Workspace(state).audit().list("dev", 20)).extracting(AuditLog.Entry::outcome).contains("refused").doesNotContain("started");

        // no token for the forge of the repository, and a file:// repository that names no forge
        var env = github();
        env.remove("CAIRN_GITHUB_TOKEN");
        assertThat(refusal(serve(env), "plan dev --pr 7")).contains("no GitHub token is configured").contains("set CAIRN_GITHUB_TOKEN");
        env = github();
        env.remove(PullRequestPreviews.FORGE_REPOSITORY);
        assertThat(refusal(serve(env), "plan dev --pr 7")).contains("CAIRN_REPO_URL is a file: URL, which names no forge")
                .contains("CAIRN_FORGE_REPOSITORY=github:OWNER/NAME");
        assertThat(queued()).isEmpty();
    }

    // ------------------------------------------------------------------ GitLab

    @Test
    void aGitLabMergeRequestPreviewGoesThroughItsApi() throws Exception {
        var head = branch("feature", "infrastructures/dev.yaml", manifest("dev", "10.7.0.0/16"), "refs/merge-requests/7/head");
        mergeRequest(7, head, "main", 1, "opened");
        mergeRequest(8, head, "main", 2, "opened");
        mergeRequest(9, head, "main", 1, "merged");
        var env = new HashMap<>(common());
        env.put(PullRequestPreviews.FORGE_REPOSITORY, "gitlab:acme/infra");
        env.put("CAIRN_GITLAB_TOKEN", GITLAB_TOKEN);
        env.put("CAIRN_GITLAB_API_URL", "http://127.0.0.1:" + forge.getAddress().getPort() + "/api/v4");
        var endpoint = serve(env);

        var answer = slash(endpoint, "U0OPERATOR", "plan dev --pr !7", "t-mr-1");
        assertThat(text(answer)).as(answer.toString()).contains("preview of `dev` for acme/infra!7 at head `" + head.substring(0, 12) + "` started");
        assertThat(forgeCalls).containsExactly("GET /api/v4/projects/acme%2Finfra/merge_requests/7");
        assertThat(forgeAuth).containsOnly(GITLAB_TOKEN);
        var run = queued().getFirst();
        assertThat(run.path("ref").asText()).isEqualTo("refs/merge-requests/7/head");
        assertThat(run.path("commit").asText()).isEqualTo(head);
        assertThat(run.path("trigger").asText()).isEqualTo("gitlab:preview acme/infra!7 base " + base + " onto main@" + base);

        assertThat(refusal(endpoint, "plan dev --pr !99")).contains("there is no merge request acme/infra!99");
        assertThat(refusal(endpoint, "plan dev --pr !8")).contains("another repository (project 2)");
        assertThat(refusal(endpoint, "plan dev --pr !9")).contains("acme/infra!9 is merged").contains("merge commit's push reconciles");
        assertThat(queued()).hasSize(1);
        assertThat(slack.calls).noneMatch(c -> c.body().contains(GITLAB_TOKEN));
    }

    // ------------------------------------------------------------------ helpers

    Map<String, String> common() {
        var env = new HashMap<String, String>();
        env.put("CAIRN_SLACK_SIGNING_SECRET", SECRET);
        env.put("CAIRN_SLACK_BOT_TOKEN", "xoxb-preview");
        env.put("CAIRN_SLACK_API_URL", slack.url());
        env.put("CAIRN_REPO_DIR", work.toString());
        env.put("CAIRN_REPO_URL", bare.toUri().toString());
        env.put("CAIRN_STATE_DIR", state.toString());
        env.put("CAIRN_GIT_CACHE_DIR", tmp.resolve("git-cache").toString());
        return env;
    }

    Map<String, String> github() {
        var env = common();
        env.put(PullRequestPreviews.FORGE_REPOSITORY, "github:acme/infra");
        env.put("CAIRN_GITHUB_TOKEN", GITHUB_TOKEN);
        env.put("CAIRN_GITHUB_API_URL", "http://127.0.0.1:" + forge.getAddress().getPort() + "/");
        return env;
    }

    URI serve(Map<String, String> env) throws Exception {
        var app = ChatopsWiring.app(env, new QueuedRunLauncher(state.resolve("queue")), Clock.systemUTC());
        var jetty = new Server();
        var connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        jetty.addConnector(connector);
        var context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new SlackServlet(app)), "/slack/events");
        jetty.setHandler(context);
        jetty.start();
        jettys.add(jetty);
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/slack/events");
    }

    JsonNode slash(URI endpoint, String user, String text, String triggerId) throws Exception {
        var body = SlackAppIT.command(user, text, triggerId);
        var now = Instant.now().getEpochSecond();
        var request = HttpRequest.newBuilder(endpoint).header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Slack-Request-Timestamp", Long.toString(now))
                .header("X-Slack-Signature", new SlackSignature(SECRET, Clock.systemUTC()).sign(Long.toString(now), body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        var response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).doesNotContain(GITHUB_TOKEN).doesNotContain(GITLAB_TOKEN);
        return JSON.readTree(response.body());
    }

    int triggers;

    String refusal(URI endpoint, String text) throws Exception {
        return refusal(endpoint, "U0OPERATOR", text);
    }

    String refusal(URI endpoint, String user, String text) throws Exception {
        var answer = slash(endpoint, user, text, "t-refused-" + (++triggers));
        assertThat(answer.path("response_type").asText()).as(answer.toString()).isEqualTo("ephemeral");
        return text(answer);
    }

    static String text(JsonNode answer) {
        var out = new StringBuilder(answer.path("text").asText());
        for (var block : answer.path("blocks")) out.append('\n').append(block.path("text").path("text").asText());
        return out.toString();
    }

    List<JsonNode> queued() throws IOException {
        var queue = state.resolve("queue");
        if (!Files.isDirectory(queue)) return List.of();
        try (var files = Files.list(queue)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().map(f -> {
                try {
                    return JSON.readTree(f.toFile());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }

    /** A branch off main with one file changed, pushed as itself and as the forge's PR ref; its head. */
    String branch(String name, String file, String text, String forgeRef) throws Exception {
        git.checkout().setName("main").call();
        git.checkout().setName(name).setCreateBranch(true).call();
        write(file, text);
        var head = commit(name);
        push("refs/heads/" + name, "refs/heads/" + name);
        push("refs/heads/" + name, forgeRef);
        git.checkout().setName("main").call();
        return head;
    }

    void write(String file, String text) throws IOException {
        var path = work.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
    }

    String commit(String message) throws Exception {
        git.add().addFilepattern(".").call();
        return git.commit().setMessage(message).setAuthor(AUTHOR).setCommitter(AUTHOR).setSign(false).call().getId().name();
    }

    void push(String local, String remote) throws Exception {
        git.push().setRemote(bare.toUri().toString()).setForce(true).setRefSpecs(new RefSpec("+" + local + ":" + remote)).call();
    }

    /** GitHub's GET /repos/O/N/pulls/N answer, the fields Cairn reads and a few more. */
    void pull(long number, String head, String baseBranch, String headRepository, String state) {
        var pr = JSON.createObjectNode().put("number", number).put("state", state).put("merged", false)
                .put("html_url", "https://github.com/acme/infra/pull/" + number);
        pr.putObject("head").put("ref", "feature").put("sha", head).putObject("repo").put("full_name", headRepository);
        pr.putObject("base").put("ref", baseBranch).put("sha", base).putObject("repo").put("full_name", "acme/infra");
        pulls.put(String.valueOf(number), pr);
    }

    /** GitLab's GET /projects/P/merge_requests/IID answer. */
    void mergeRequest(long iid, String head, String target, long sourceProject, String state) {
        mergeRequests.put(String.valueOf(iid), JSON.createObjectNode().put("iid", iid).put("state", state).put("sha", head)
                .put("source_branch", "feature").put("target_branch", target).put("source_project_id", sourceProject)
                .put("target_project_id", 1).put("web_url", "https://gitlab.example/acme/infra/-/merge_requests/" + iid));
    }

    /** The webhook's pull_request opened payload for PR {@code number} at {@code head}. */
    byte[] pullRequestEvent(long number, String head) throws IOException {
        var event = JSON.createObjectNode().put("action", "opened").put("number", number);
        var pr = event.putObject("pull_request").put("number", number).put("merged", false);
        pr.putObject("head").put("ref", "feature").put("sha", head).putObject("repo").put("full_name", "acme/infra");
        pr.putObject("base").put("ref", "main").put("sha", base).putObject("repo").put("full_name", "acme/infra");
        event.putObject("repository").put("full_name", "acme/infra").put("clone_url", bare.toUri().toString());
        event.putObject("sender").put("login", "octocat");
        return JSON.writeValueAsBytes(event);
    }

    private void answer(HttpExchange exchange) throws IOException {
        var method = exchange.getRequestMethod();
        var path = exchange.getRequestURI().getRawPath();
        forgeCalls.add(method + " " + path);
        var auth = exchange.getRequestHeaders().getFirst("Authorization");
        forgeAuth.add(String.valueOf(auth != null ? auth : exchange.getRequestHeaders().getFirst("PRIVATE-TOKEN")));
        JsonNode body = null;
        if (method.equals("GET") && path.matches("/repos/acme/infra/pulls/\\d+")) body = pulls.get(path.substring(path.lastIndexOf('/') + 1));
        if (method.equals("GET") && path.matches("/api/v4/projects/acme%2Finfra/merge_requests/\\d+")) body = mergeRequests.get(path.substring(path.lastIndexOf('/') + 1));
        int status = body == null ? 404 : 200;
        if (body == null) body = JSON.createObjectNode().put("message", path.startsWith("/api/v4") ? "404 Not found" : "Not Found");
        var bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
