package dev.cairn.functions.reconcile;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cairn.functions.pr.MergeLinks;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.store.local.LocalThreadStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.cairn.functions.reconcile.ReconcileSlackThreadIT.changes;
import static dev.cairn.functions.reconcile.ReconcileSlackThreadIT.reportBytes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The task function's own wiring tells a merged PR the result of its merge commit's apply run:
 * the PR-merged webhook's link sits in the local thread store ({@code CAIRN_STATE_DIR/threads}),
 * the quickstart's apply run is driven step by step through fresh {@link ReconcileTaskFunction}s
 * (as the state machine does), and at Finish the linked comment on a local GitHub stand-in is
 * edited with the result and the stage whose applied plan differs from the preview.
 */
class ReconcileMergeCommentIT {
    static final String EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:cairn-reconcile:dev-apply-merge";
    static final String TOKEN = "ghp_reconcileMergeToken0123456789";

    @TempDir
    Path tmp;
    HttpServer server;
    final List<String> calls = new CopyOnWriteArrayList<>();
    final Map<Long, String> comments = new java.util.concurrent.ConcurrentHashMap<>();
    Map<String, String> env;
    Workspace workspace;
    String commit;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        var bare = tmp.resolve("origin.git");
        commit = ReconcileSlackThreadIT.pushQuickstartWithChannel(tmp, bare);
        env = new HashMap<>(Map.of("CAIRN_STATE_DIR", tmp.resolve("state").toString(), "CAIRN_REPO_URL", bare.toUri().toString(),
                "CAIRN_GIT_CACHE_DIR", tmp.resolve("git-cache").toString(), "CAIRN_GITHUB_TOKEN", TOKEN,
                "CAIRN_GITHUB_API_URL", "http://127.0.0.1:" + server.getAddress().getPort() + "/"));
        workspace = new Workspace(tmp.resolve("state"));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        var method = exchange.getRequestMethod();
        var path = exchange.getRequestURI().getRawPath();
        var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        calls.add(method + " " + path + " " + body);
        String answer = "{}";
        int status = 200;
        if (method.equals("GET") && path.equals("/repos/acme/infra/issues/7/comments")) {
            var list = Json.MAPPER.createArrayNode();
            if (exchange.getRequestURI().getRawQuery().contains("page=1")) comments.forEach((id, text) -> list.addObject().put("id", id).put("body", text));
            answer = list.toString();
        } else if (method.equals("POST") && path.equals("/repos/acme/infra/issues/7/comments")) {
            comments.put(600L, Json.MAPPER.readTree(body).path("body").asText());
            answer = "{\"id\":600}";
            status = 201;
        } else if (method.equals("PATCH") && path.equals("/repos/acme/infra/issues/comments/500")) {
            comments.put(500L, Json.MAPPER.readTree(body).path("body").asText());
        } else {
            status = 404;
            answer = "{\"message\":\"Not Found\"}";
        }
        var bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private Map<String, Object> step(String task, Object... pairs) {
        return ReconcileTaskScenarios.call(new ReconcileTaskFunction(env), task, pairs);
    }

    @Test
    void theMergeCommitsApplyRunEndingEditsTheLinkedPreviewCommentWithItsResult() throws Exception {
        // the preview said network would change one resource; the apply creates two in every stage, as previewed for the others
        comments.put(500L, "<!-- cairn:preview:dev -->\n<!-- cairn:plans backend=+2~0-0;network=+0~1-0;domain=+2~0-0;kubernetes=+2~0-0;addons=+2~0-0;app_db=+2~0-0 -->\n### Cairn plan preview: `dev`\n");
        new MergeLinks(new LocalThreadStore(tmp.resolve("state").resolve("threads")))
                .link("dev", commit, new MergeLinks.Link("github", "acme/infra", 7, 500L), Instant.now());

        var prepared = step("prepare", "action", "APPLY", "commit", commit, "ref", "refs/heads/main", "trigger", "github:push 9e000000-1",
                "stages", "", "executionArn", EXECUTION);
        var runId = (String) prepared.get("runId");
        for (int round = 0; round < 10; round++) {
            var next = step("next", "runId", runId);
            if (Boolean.TRUE.equals(next.get("done"))) break;
            for (var stage : ReconcileTaskScenarios.started(next)) {
                step("render", "runId", runId, "stage", stage);
                workspace.blobs().put(dev.cairn.reconciler.bundle.BundleKeys.result("dev", runId, stage),
                        reportBytes(runId, stage, "apply", StageStatus.APPLIED, changes(stage)));
                step("record", "runId", runId, "stage", stage);
            }
        }
        assertThat(step("finish", "executionArn", EXECUTION)).containsEntry("status", "SUCCEEDED");

        var stages = workspace.runs().get("dev", runId).orElseThrow().stages().keySet();
        var comment = comments.get(500L);
        assertThat(comment).startsWith("<!-- cairn:preview:dev -->\n<!-- cairn:merge -->")
                .contains("**Merged and applied:** acme/infra#7 was merged as `" + commit.substring(0, 12) + "`; run `" + runId + "` succeeded ([full log]("
                        + "https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/" + EXECUTION + ")).")
                .contains("**The applied plan differed from this preview** in `network` (preview: network +0~1-0; applied: network +2~0-0).");
        for (var stage : stages) assertThat(comment).contains("> | `" + stage + "` | +2~0-0 |");
        assertThat(calls).filteredOn(c -> c.startsWith("PATCH")).hasSize(1);
        assertThat(calls).noneMatch(c -> c.contains(TOKEN));
        assertThat(new MergeLinks(new LocalThreadStore(tmp.resolve("state").resolve("threads"))).applied("dev", commit))
                .hasValueSatisfying(o -> assertThat(o).startsWith("SUCCEEDED|" + runId + "|"));
    }

    @Test
    void aPreviewOfAnInfrastructureWhosePolicyNeedsApprovalSaysMergingAsksForItInSlack() {
        var threads = new LocalThreadStore(tmp.resolve("state").resolve("threads"));
        var graph = new dev.cairn.reconciler.graph.StageGraph();
        graph.addStage("network");
        var stage = new dev.cairn.reconciler.run.StageResult("network", StageStatus.PLANNED,
                new dev.cairn.reconciler.terraform.PlanSummary(1, 0, 0, List.of(), List.of()), null, null, null, null, null, null);
        for (boolean approval : new boolean[]{true, false}) {
            var runId = "20261202T020000Z-p" + (approval ? "approval" : "automatic");
            // what Prepare saves beside the run: the manifest's policy (policy.apply: approval) per stage
            new RunGraphs(workspace.blobs()).save("dev", runId, new StagePlanner.Planned(graph, 1,
                    Map.of("network", new StagePlanner.StagePolicy(approval, ""))));
            var run = new dev.cairn.reconciler.run.Run(runId, "dev", dev.cairn.reconciler.run.RunAction.PLAN, dev.cairn.reconciler.run.RunStatus.SUCCEEDED,
                    dev.cairn.reconciler.preview.Previews.trigger("github", "acme/infra#7", commit), commit, Instant.EPOCH, Instant.EPOCH,
                    List.of(), new java.util.LinkedHashMap<>(Map.of("network", stage)), null, 1);
            comments.clear();
            ReconcileWiring.notifier(env, threads, workspace.blobs()).runFinished(run, Map.of());
            assertThat(comments.get(600L)).as(approval ? "approval" : "auto").contains(approval
                    ? "**Plan has changes:** +1 ~0 -0 in 1 stage. Merging asks for approval in Slack before they are applied"
                    : "**Plan has changes:** +1 ~0 -0 in 1 stage. Merging applies them.");
        }
    }
}
