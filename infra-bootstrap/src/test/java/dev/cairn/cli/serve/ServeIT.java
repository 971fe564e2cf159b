package dev.cairn.cli.serve;

import com.sun.net.httpserver.HttpServer;
import dev.cairn.cli.Cairn;
import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.approval.local.LocalApprovalStore;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.statemachine.Executions;
import org.eclipse.jgit.api.Git;
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
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cairn serve} end to end on a JGit-made repository holding the quickstart, with real
 * Terraform, the real handlers and the template's own state machine definition on the local
 * executor: a signed GitHub push that changes {@code dev} is reconciled to SUCCEEDED; a signed
 * Slack {@code /infra apply prod} ({@code policy.apply: approval}) waits until an approver other
 * than the requester clicks Approve (signed {@code block_actions}), then succeeds; the status page
 * shows both runs and {@code cairn status --run} the execution history.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServeIT {
    static final String WEBHOOK_SECRET = "serve-it-webhook-secret";
    static final String SLACK_SECRET = "serve-it-slack-signing-secret";
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
    HttpServer slackApi;
    final List<String> slackCalls = new CopyOnWriteArrayList<>();

    final StringWriter log = new StringWriter();
    final HttpClient http = HttpClient.newHttpClient();
    String devRun;
    String prodRun;

    @BeforeAll
    void serve() throws Exception {
        repo = copy(Path.of(System.getProperty("cairn.repoRoot")).resolve("examples/quickstart"), tmp.resolve("infra"));
        // four eyes: prod's requester and approver are two different approvers
        var prod = repo.resolve("infrastructures/prod.yaml");
        Files.writeString(prod, Files.readString(prod).replace("approvers: [U0PLATFORM]", "approvers: [U0PLATFORM, U0APPROVER]"));
        git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call();
        first = commit("quickstart");
        var dev = repo.resolve("infrastructures/dev.yaml");
        Files.writeString(dev, Files.readString(dev).replace("db_size: micro", "db_size: tiny"));
        second = commit("dev: a tiny database");
        state = tmp.resolve("state");

        slackApi = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        slackApi.createContext("/api/", exchange -> {
            var form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            slackCalls.add(exchange.getRequestURI().getPath().substring("/api/".length()) + " " + java.net.URLDecoder.decode(form, StandardCharsets.UTF_8));
            var answer = "{\"ok\":true,\"user_id\":\"UBOT\",\"team_id\":\"T0CAIRN\",\"bot_id\":\"B1\",\"usergroups\":[],\"channel\":\"C0INFRA\",\"ts\":\"1.1\"}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        slackApi.start();
        var env = Map.of(
                "CAIRN_GITHUB_WEBHOOK_SECRET", WEBHOOK_SECRET,
                "CAIRN_SLACK_SIGNING_SECRET", SLACK_SECRET,
                "CAIRN_SLACK_BOT_TOKEN", "xoxb-serve-it",
                "CAIRN_SLACK_API_URL", "http://127.0.0.1:" + slackApi.getAddress().getPort() + "/api/");
        server = LocalServer.start(new LocalServer.Options(repo, Path.of(System.getProperty("cairn.repoRoot")).resolve("template.yaml"),
                state, 0, env, new PrintWriter(log, true)));
    }

    @AfterAll
    void stop() {
        if (server != null) server.stop();
        if (slackApi != null) slackApi.stop(0);
        if (git != null) git.close();
    }

    @Test
    @Order(1)
    void aSignedPushThatChangesDevIsReconciledThroughTheRealDefinition() throws Exception {
        assertThat(get("healthz").body()).contains("ok");
        var body = pushBody(first, second);
        var response = post("webhooks/github", body, Map.of("Content-Type", "application/json", "X-GitHub-Event", "push",
                "X-GitHub-Delivery", UUID.randomUUID().toString(), "X-Hub-Signature-256", "sha256=" + hmac(WEBHOOK_SECRET, body)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        var answer = Json.MAPPER.readTree(response.body());
        assertThat(answer.path("outcome").asText()).isEqualTo("started");
        assertThat(answer.path("started")).hasSize(1);
        assertThat(answer.path("started").get(0).path("infrastructure").asText()).isEqualTo("dev");
        var name = answer.path("started").get(0).path("execution").asText();

        var execution = server.executions().await(name, RUN_LIMIT);
        assertThat(execution.status()).as(execution + "\n" + log).isEqualTo(Executions.Status.SUCCEEDED);
        var workspace = new Workspace(state);
        var run = workspace.runs().list("dev", 1).getFirst();
        devRun = run.id();
        assertThat(run.status()).as(run.toString()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.revision()).isEqualTo(second);
        assertThat(run.stages().values()).isNotEmpty().allSatisfy(s -> assertThat(s.status()).as(s.stage()).isEqualTo(StageStatus.APPLIED));
        assertThat(workspace.outputs().all("dev")).containsKey("network");
        assertThat(workspace.outputs().all("dev").get("network").values()).containsKey("vpc_id");
        assertThat(workspace.outputs().all("dev").get("network").runId()).isEqualTo(devRun);
        assertThat(workspace.locks().owner("dev")).isEmpty();
        assertThat(workspace.runs().list("prod", 1)).as("prod did not change").isEmpty();
        // the same delivery replayed under a new id starts nothing new (the execution name derives from signed content)
        var replay = post("webhooks/github", body, Map.of("Content-Type", "application/json", "X-GitHub-Event", "push",
                "X-GitHub-Delivery", UUID.randomUUID().toString(), "X-Hub-Signature-256", "sha256=" + hmac(WEBHOOK_SECRET, body)));
        assertThat(Json.MAPPER.readTree(replay.body()).path("started").get(0).path("alreadyStarted").asBoolean()).isTrue();
        assertThat(server.executions().list()).hasSize(1);
    }

    @Test
    @Order(2)
    void aForgedPushIsRefusedAndStartsNothing() throws Exception {
        var body = pushBody(first, second);
        var response = post("webhooks/github", body, Map.of("Content-Type", "application/json", "X-GitHub-Event", "push",
                "X-GitHub-Delivery", UUID.randomUUID().toString(), "X-Hub-Signature-256", "sha256=" + hmac("not-the-secret", body)));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).doesNotContain(WEBHOOK_SECRET);
        // the GitLab route reaches the same function: no GitLab token is configured, so it refuses (fails closed)
        var gitlab = post("webhooks/gitlab", body, Map.of("Content-Type", "application/json", "X-Gitlab-Event", "Push Hook",
                "X-Gitlab-Token", "a-guess", "X-Gitlab-Event-UUID", UUID.randomUUID().toString()));
        assertThat(gitlab.statusCode()).as(gitlab.body()).isIn(401, 503);
        assertThat(Json.MAPPER.readTree(gitlab.body()).path("outcome").asText()).isNotBlank();
        assertThat(server.executions().list()).hasSize(1);
    }

    @Test
    @Order(3)
    void slackApplyOfProdWaitsForAnotherApproverAndThenSucceeds() throws Exception {
        var command = "token=x&team_id=T0CAIRN&channel_id=C0INFRA&channel_name=infra&user_id=U0PLATFORM&user_name=platform&command=%2Finfra"
                + "&text=" + URLEncoder.encode("apply prod", StandardCharsets.UTF_8)
                + "&response_url=" + URLEncoder.encode("http://127.0.0.1:1/hooks", StandardCharsets.UTF_8) + "&trigger_id=t-serve-apply";
        var ack = slack(command);
        assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
        assertThat(ack.body()).contains("apply prod");
        var execution = server.executions().list().stream().filter(x -> x.input().path("infrastructure").asText().equals("prod")).findFirst()
                .orElseThrow(() -> new AssertionError("no prod execution: " + ack.body() + "\n" + log));
        assertThat(execution.input().path("trigger").asText()).isEqualTo("slack:U0PLATFORM");
        assertThat(execution.input().has("stages")).isTrue();

        var approvals = new LocalApprovalStore(state.resolve("approvals"));
        var deadline = Instant.now().plus(RUN_LIMIT);
        int approved = 0;
        boolean fourEyesChecked = false;
        while (server.executions().describe(execution.name()).orElseThrow().status() == Executions.Status.RUNNING) {
            assertThat(Instant.now()).as("prod still running\n" + log).isBefore(deadline);
            for (var waiting : approvals.pending("prod")) {
                prodRun = waiting.runId();
                var value = "prod/" + waiting.runId() + "/" + waiting.stage();
                if (!fourEyesChecked) {
                    assertThat(get("").body()).as("the status page shows what waits").contains("waiting for approval",
                            "cairn approve " + waiting.runId() + " --stage " + waiting.stage());
                    var own = slack(click("U0PLATFORM", value));
                    assertThat(own.statusCode()).isEqualTo(200);
                    awaitResponse("four eyes");
                    assertThat(approvals.get("prod", waiting.runId(), waiting.stage()).orElseThrow().state()).isEqualTo(ApprovalStore.State.PENDING);
                    fourEyesChecked = true;
                }
                var click = slack(click("U0APPROVER", value));
                assertThat(click.statusCode()).as(click.body()).isEqualTo(200);
                assertThat(approvals.get("prod", waiting.runId(), waiting.stage()).orElseThrow().state()).isEqualTo(ApprovalStore.State.APPROVED);
                approved++;
            }
            Thread.sleep(300);
        }
        var ended = server.executions().await(execution.name(), Duration.ofSeconds(1));
        assertThat(ended.status()).as(ended + "\n" + log).isEqualTo(Executions.Status.SUCCEEDED);
        assertThat(fourEyesChecked).isTrue();
        var run = new Workspace(state).runs().get("prod", prodRun).orElseThrow();
        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(approved).as("one approval per stage with changes").isEqualTo(run.stages().size());
        assertThat(run.stages().values()).allSatisfy(s -> assertThat(s.status()).as(s.stage()).isEqualTo(StageStatus.APPLIED));
        assertThat(new Workspace(state).outputs().all("prod")).containsKey("network");
        assertThat(new Workspace(state).locks().owner("prod")).isEmpty();
        assertThat(slackCalls).as("Bolt's Web API calls go to the local recorder").anyMatch(c -> c.startsWith("auth.test"));
    }

    @Test
    @Order(4)
    void theStatusPageShowsBothRunsStageByStage() throws Exception {
        var page = get("");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("<h2>dev</h2>", "<h2>prod</h2>", devRun, prodRun, "network", "applied", "succeeded", "not locked")
                .doesNotContain("<script");
        assertThat(get("no-such-page").statusCode()).isEqualTo(404);
    }

    @Test
    @Order(5)
    void statusRunShowsTheExecutionHistory() {
        var out = new StringWriter();
        var cli = Cairn.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int exit = cli.execute("status", repo.toString(), "--run", prodRun, "--state-dir", state.toString(), "--no-color");
        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString()).contains("run " + prodRun, "ExecutionStarted", "TaskStateEntered", "Prepare", "Approve",
                "TaskStateExited", "ExecutionSucceeded");
        var json = new StringWriter();
        var asJson = Cairn.commandLine();
        asJson.setOut(new PrintWriter(json, true));
        assertThat(asJson.execute("status", repo.toString(), "--run", devRun, "--state-dir", state.toString(), "-o", "json")).isZero();
        assertThat(json.toString()).contains("\"runId\" : \"" + devRun + "\"", "\"status\" : \"SUCCEEDED\"", "ExecutionSucceeded");
    }

    @Test
    @Order(6)
    void servedRunsRecordEachStagesTerraformTimesAndItsWaitAfterItsUpstream() {
        var workspace = new Workspace(state);
        // dev: one planApply build per stage; prod: a plan build, an approval, then an apply build
        for (var run : List.of(workspace.runs().get("dev", devRun).orElseThrow(), workspace.runs().get("prod", prodRun).orElseThrow())) {
            var earlier = new java.util.HashSet<String>();
            for (var wave : run.waves()) {
                for (var name : wave) {
                    var stage = run.stage(name);
                    var t = stage.timings();
                    assertThat(t).as(run.infrastructure() + "/" + name + " has timings").isNotNull();
                    assertThat(t.commands()).as(name).containsKeys("init", "plan", "show", "apply");
                    assertThat(t.commands().values()).as(name).allSatisfy(ms -> assertThat(ms).isPositive());
                    assertThat(t.aheadMillis()).as("a build does nothing ahead").isZero();
                    assertThat(t.startupMillis()).as(name + ": the build's start-up").isNotNull().isPositive();
                    assertThat(t.after()).as(name + " waits for stages of earlier waves only").allSatisfy(u -> assertThat(earlier).contains(u));
                    if (!earlier.isEmpty()) assertThat(t.after()).as(name + " has upstream stages").isNotEmpty();
                    // the stage's first build starts after it became ready (its upstream stages recorded done, else the run's start)
                    var ready = t.after().stream().map(u -> run.stage(u).finishedAt()).max(Instant::compareTo).orElse(run.startedAt());
                    var report = report(workspace, run, name).timings();
                    assertThat(report.startedAt()).as(name + "'s first build started after it was ready").isAfterOrEqualTo(ready);
                    assertThat(stage.startedAt()).as(name).isAfterOrEqualTo(ready);
                    assertThat(t.waitMillis()).as(name + ": its wait holds its first build's start-up")
                            .isGreaterThanOrEqualTo(Duration.between(report.startedAt(), report.terraformStartedAt()).toMillis());
                }
                earlier.addAll(wave);
            }
            var path = dev.cairn.reconciler.run.CriticalPath.of(run);
            assertThat(path.stages()).isNotEmpty();
            long along = 0;
            for (int i = 0; i < path.stages().size(); i++) {
                var t = run.stage(path.stages().get(i)).timings();
                along += t.totalMillis();
                if (i > 0) assertThat(t.after()).as("the critical path follows the DAG").contains(path.stages().get(i - 1));
            }
            assertThat(path.millis()).as("nothing ahead: the path is its stages' terraform time").isEqualTo(along);
            assertThat(path.millis()).isLessThanOrEqualTo(Duration.between(run.startedAt(), run.finishedAt()).toMillis());
        }
        var out = new StringWriter();
        var cli = Cairn.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        assertThat(cli.execute("status", repo.toString(), "--infra", "dev", "--run", devRun, "--state-dir", state.toString(), "--no-color"))
                .as(out.toString()).isZero();
        assertThat(out.toString()).contains("init ", "apply ", "started ", " after the run began", " finished, cairn stage start-up ", "critical path ");
        var json = new StringWriter();
        var asJson = Cairn.commandLine();
        asJson.setOut(new PrintWriter(json, true));
        assertThat(asJson.execute("status", repo.toString(), "--infra", "dev", "--run", devRun, "--state-dir", state.toString(), "-o", "json")).isZero();
        assertThat(json.toString()).contains("\"startupMillis\"", "\"waitMillis\"", "\"criticalPath\"");
    }

    // ------------------------------------------------------------------ helpers

    /** The report the stage's last `cairn stage` step left in the blob store. */
    private static dev.cairn.reconciler.bundle.StageReport report(Workspace workspace, dev.cairn.reconciler.run.Run run, String stage) {
        var key = dev.cairn.reconciler.bundle.BundleKeys.result(run.infrastructure(), run.id(), stage);
        var json = workspace.blobs().get(key).orElseThrow(() -> new AssertionError("no report at " + key));
        try {
            return Json.MAPPER.readValue(json, dev.cairn.reconciler.bundle.StageReport.class);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The Slack app answers a click with a Web API call (chat.postEphemeral or chat.update) saying {@code text}. */
    private void awaitResponse(String text) throws InterruptedException {
        var deadline = Instant.now().plusSeconds(20);
        while (slackCalls.stream().noneMatch(r -> r.startsWith("chat.") && r.contains(text))) {
            assertThat(Instant.now()).as("no chat.* call saying `" + text + "`: " + slackCalls).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    private String commit(String message) throws Exception {
        git.add().addFilepattern(".").call();
        return git.commit().setMessage(message).setAuthor(AUTHOR).setCommitter(AUTHOR).call().name();
    }

    private String pushBody(String before, String after) throws Exception {
        var payload = Json.MAPPER.createObjectNode();
        payload.put("ref", "refs/heads/main").put("before", before).put("after", after).put("created", false).put("deleted", false);
        payload.putObject("repository").put("full_name", "acme/infra").put("clone_url", server.repository().url()).put("default_branch", "main");
        payload.putObject("pusher").put("name", "octocat");
        payload.putObject("sender").put("login", "octocat");
        return Json.MAPPER.writeValueAsString(payload);
    }

    private HttpResponse<String> slack(String body) throws Exception {
        var timestamp = Long.toString(Instant.now().getEpochSecond());
        return post("slack/events", body, Map.of("Content-Type", "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp", timestamp,
                "X-Slack-Signature", "v0=" + hmac(SLACK_SECRET, "v0:" + timestamp + ":" + body)));
    }

    static String click(String user, String value) throws Exception {
        var payload = Map.of("type", "block_actions", "team", Map.of("id", "T0CAIRN"), "user", Map.of("id", user),
                "channel", Map.of("id", "C0INFRA"), "container", Map.of("type", "message", "message_ts", "1.2", "channel_id", "C0INFRA"),
                "trigger_id", "t-click-" + user + "-" + UUID.randomUUID(), "response_url", "http://127.0.0.1:1/hooks",
                "actions", List.of(Map.of("type", "button", "action_id", "cairn_approve", "block_id", "cairn_approval", "value", value,
                        "action_ts", "1.3")));
        return "payload=" + URLEncoder.encode(Json.MAPPER.writeValueAsString(payload), StandardCharsets.UTF_8);
    }

    private HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(60));
        headers.forEach(request::header);
        return http.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static String hmac(String secret, String text) throws Exception {
        var mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    static Path copy(Path from, Path target) throws Exception {
        try (var walk = Files.walk(from)) {
            for (var p : walk.toList()) {
                var rel = from.relativize(p).toString();
                if (rel.startsWith(".cairn") || rel.contains(".terraform")) continue;
                if (Files.isDirectory(p)) Files.createDirectories(target.resolve(rel));
                else Files.copy(p, target.resolve(rel), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return target;
    }

}
