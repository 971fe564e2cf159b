package dev.cairn.chatops;

import dev.cairn.notify.slack.BlockKit;
import dev.cairn.reconciler.launch.QueuedRunLauncher;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.approval.local.LocalApprovalStore;
import dev.cairn.reconciler.approval.local.LocalRunResumer;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Slack app end to end on Jetty 12.1 (ee10) through {@link SlackServlet}: real signed
 * requests, every Web API call answered and recorded by a local server ({@code CAIRN_SLACK_API_URL}),
 * local stores and a repo checkout with a prod policy.
 */
class SlackAppIT {
    static final String SECRET = "test-signing-secret";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    HttpServer api;
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();
    Server jetty;
    URI endpoint;
    Path state;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        api.createContext("/api/", exchange -> {
            var method = exchange.getRequestURI().getPath().substring("/api/".length());
            calls.add(method);
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            var answer = switch (method) {
                case "auth.test" -> "{\"ok\":true,\"user_id\":\"UBOT\",\"team_id\":\"T1\",\"bot_id\":\"B1\"}";
                case "usergroups.list" -> "{\"ok\":true,\"usergroups\":[{\"id\":\"S0PLATFORM\",\"users\":[\"U0GROUPIE\"]}]}";
                default -> "{\"ok\":true,\"channel\":\"C1\",\"ts\":\"1.2\"}";
            };
            var bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        api.start();

        var repo = tmp.resolve("repo");
        Files.createDirectories(repo.resolve("infrastructures"));
        Files.writeString(repo.resolve("cairn.yaml"), "apiVersion: cairn.dev/v1\nkind: Repository\nbranch: main\n");
        Files.writeString(repo.resolve("infrastructures/prod.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata: { name: prod }
                spec:
                  policy: { apply: approval, approvers: [U0APPROVER, U0REQUESTER, S0PLATFORM], operators: [U0OPERATOR], destroy: forbidden }
                  notifications: { slack: { channel: "#infra-prod" } }
                """);
        Files.writeString(repo.resolve("infrastructures/dev.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata: { name: dev }
                spec: {}
                """);
        state = tmp.resolve("state");
        var env = Map.of("CAIRN_SLACK_SIGNING_SECRET", SECRET, "CAIRN_SLACK_BOT_TOKEN", "xoxb-test-token",
                "CAIRN_SLACK_API_URL", "http://127.0.0.1:" + api.getAddress().getPort() + "/api/",
                "CAIRN_REPO_DIR", repo.toString(), "CAIRN_STATE_DIR", state.toString());
        var app = ChatopsWiring.app(env, new QueuedRunLauncher(state.resolve("queue")), Clock.systemUTC());
        // SnapStart priming: refused, parsed, serialized; no Web API call and nothing stored
        assertThat(app.prime()).isEqualTo(401);
        assertThat(calls).isEmpty();

        jetty = new Server();
        var connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        jetty.addConnector(connector);
        var context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new SlackServlet(app)), "/slack/events");
        jetty.setHandler(context);
        jetty.start();
        endpoint = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/slack/events");
    }

    @AfterEach
    void stop() throws Exception {
        if (jetty != null) jetty.stop();
        if (api != null) api.stop(0);
    }

    static String command(String user, String text, String triggerId) {
        return "token=x&team_id=T1&channel_id=C1&channel_name=infra&user_id=" + user + "&user_name=someone&command=%2Finfra"
                + "&text=" + URLEncoder.encode(text, StandardCharsets.UTF_8)
                + "&response_url=" + URLEncoder.encode("http://127.0.0.1:1/hooks", StandardCharsets.UTF_8) + "&trigger_id=" + triggerId;
    }

    HttpResponse<String> post(String body, long timestamp, String signature, Map<String, String> extra) throws Exception {
        var request = HttpRequest.newBuilder(endpoint).header("Content-Type", "application/x-www-form-urlencoded");
        if (timestamp != 0) request.header("X-Slack-Request-Timestamp", Long.toString(timestamp));
        if (signature != null) request.header("X-Slack-Signature", signature);
        extra.forEach(request::header);
        return http.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> signed(String body, Map<String, String> extra) throws Exception {
        var now = Instant.now().getEpochSecond();
        return post(body, now, new SlackSignature(SECRET, Clock.systemUTC()).sign(Long.toString(now), body), extra);
    }

    long queued() throws Exception {
        var queue = state.resolve("queue");
        if (!Files.isDirectory(queue)) return 0;
        try (var files = Files.list(queue)) {
            return files.count();
        }
    }

    @Test
    void badSignaturesAreRefusedAndStartNothing() throws Exception {
        var body = command("U0OPERATOR", "apply dev", "t-bad");
        var now = Instant.now().getEpochSecond();
        var signer = new SlackSignature(SECRET, Clock.systemUTC());
        assertThat(post(body, now, "v0=" + "0".repeat(64), Map.of()).statusCode()).as("wrong signature").isEqualTo(401);
        assertThat(post(body, now - 301, signer.sign(Long.toString(now - 301), body), Map.of()).statusCode()).as("expired").isEqualTo(401);
        assertThat(post(body, now + 600, signer.sign(Long.toString(now + 600), body), Map.of()).statusCode()).as("future").isEqualTo(401);
        assertThat(post(body.replace("dev", "prod"), now, signer.sign(Long.toString(now), body), Map.of()).statusCode()).as("tampered").isEqualTo(401);
        assertThat(post(body, 0, null, Map.of()).statusCode()).as("no headers").isEqualTo(401);
        assertThat(queued()).isZero();
        assertThat(calls).isEmpty();
    }

    @Test
    void anOperatorStartsOneRunAndSlackRetriesStartNoOther() throws Exception {
        var body = command("U0OPERATOR", "apply prod", "t-apply-1");
        var first = signed(body, Map.of());
        assertThat(first.statusCode()).isEqualTo(200);
        var ack = JSON.readTree(first.body());
        assertThat(ack.path("response_type").asText()).isEqualTo("in_channel");
        assertThat(ack.toString()).contains("apply prod").contains("U0OPERATOR");
        withinLimits(ack);
        assertThat(queued()).isEqualTo(1);
        var retry = signed(body, Map.of("X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout"));
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(queued()).as("the retry started nothing").isEqualTo(1);
        var audit = new Workspace(state).audit().list("prod", 10);
        assertThat(audit).extracting(e -> e.outcome()).containsExactly("duplicate", "started");
        assertThat(calls).containsOnly("auth.test");
    }

    @Test
    void aUserOutsideThePolicyCannotApplyProdAndDestroyIsForbidden() throws Exception {
        var refused = JSON.readTree(signed(command("U0STRANGER", "apply prod", "t-s1"), Map.of()).body());
        assertThat(refused.path("response_type").asText()).isEqualTo("ephemeral");
        assertThat(refused.toString()).contains("refused").contains("U0STRANGER is not an operator");
        var destroy = JSON.readTree(signed(command("U0OPERATOR", "destroy prod", "t-s2"), Map.of()).body());
        assertThat(destroy.toString()).contains("forbids destroy");
        var groupie = JSON.readTree(signed(command("U0GROUPIE", "plan prod", "t-s3"), Map.of()).body());
        assertThat(groupie.path("response_type").asText()).as("a member of the S0PLATFORM group").isEqualTo("in_channel");
        assertThat(queued()).isEqualTo(1);
        assertThat(new Workspace(state).audit().list("prod", 10)).extracting(e -> e.actor() + " " + e.action() + " " + e.outcome())
                .containsExactly("slack:U0GROUPIE plan started", "slack:U0OPERATOR destroy refused", "slack:U0STRANGER apply refused");
        var typo = JSON.readTree(signed(command("U0OPERATOR", "aply prdo", "t-s4"), Map.of()).body());
        assertThat(typo.toString()).contains("did you mean `apply`");
    }

    @Test
    void theRequesterCannotApproveTheirOwnRunAnotherApproverCanAndTheRunResumes() throws Exception {
        var approvals = new LocalApprovalStore(state.resolve("approvals"));
        var plan = new PlanSummary(7, 1, 0, java.util.stream.IntStream.range(0, 8)
                .mapToObj(i -> new PlanSummary.ResourceChange("aws_subnet.private[" + i + "]", PlanSummary.Action.CREATE)).toList(), List.of());
        approvals.request(new ApprovalStore.Approval("prod", "run-42", "network", ApprovalStore.State.PENDING, plan, "ab".repeat(32),
                "slack:U0REQUESTER", "tok-42", Instant.now(), Instant.now().plusSeconds(3600), null, null, null));
        var message = BlockKit.approval(approvals.get("prod", "run-42", "network").orElseThrow());
        withinLimits(JSON.valueToTree(Map.of("blocks", message)));
        assertThat(JSON.writeValueAsString(message)).contains("and 3 more").contains("+7 ~1 -0");

        var own = signed(click("U0REQUESTER", BlockKit.APPROVE, "prod/run-42/network"), Map.of());
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(calls).contains("chat.postEphemeral");
        assertThat(bodies.get(calls.lastIndexOf("chat.postEphemeral"))).contains("four%20eyes");
        var resumer = new LocalRunResumer(state.resolve("approvals").resolve("answers"));
        assertThat(resumer.answer("tok-42")).isEmpty();

        var other = signed(click("U0APPROVER", BlockKit.APPROVE, "prod/run-42/network"), Map.of());
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(calls).contains("chat.update");
        assertThat(resumer.answer("tok-42")).get().satisfies(a -> {
            assertThat(a.outcome()).isEqualTo("approved");
            assertThat(a.decidedBy()).isEqualTo("slack:U0APPROVER");
        });
        var again = signed(click("U0REQUESTER", BlockKit.REJECT, "prod/run-42/network"), Map.of());
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(approvals.get("prod", "run-42", "network").orElseThrow().state()).isEqualTo(ApprovalStore.State.APPROVED);
        assertThat(new Workspace(state).audit().list("prod", 10)).extracting(e -> e.actor() + " " + e.outcome())
                .contains("slack:U0REQUESTER refused", "slack:U0APPROVER approved");
    }

    String click(String user, String actionId, String value) throws Exception {
        var payload = Map.of("type", "block_actions", "team", Map.of("id", "T1"), "user", Map.of("id", user),
                "channel", Map.of("id", "C1"), "container", Map.of("type", "message", "message_ts", "1.2", "channel_id", "C1"),
                "trigger_id", "t-click-" + user, "response_url", "http://127.0.0.1:1/hooks",
                "actions", List.of(Map.of("type", "button", "action_id", actionId, "block_id", "cairn_approval", "value", value,
                        "action_ts", "1.3")));
        return "payload=" + URLEncoder.encode(JSON.writeValueAsString(payload), StandardCharsets.UTF_8);
    }

    static void withinLimits(JsonNode message) {
        assertThat(message.path("blocks").size()).isBetween(1, BlockKit.MAX_BLOCKS);
        message.findValues("text").forEach(t -> {
            if (t.isTextual()) assertThat(t.asText().length()).isLessThanOrEqualTo(BlockKit.MAX_TEXT);
        });
    }
}
