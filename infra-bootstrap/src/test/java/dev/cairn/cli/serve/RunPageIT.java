package dev.cairn.cli.serve;

import dev.cairn.reconciler.bundle.BundleKeys;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cairn serve}'s run pages over a real server and its local stores: {@code /runs/INFRA/RUN}
 * shows a stored run and its stage logs HTML-escaped, {@code /runs/INFRA/RUN/STAGE.log} one log as
 * text; an unknown infrastructure, run or stage is a 404 that says so; and no path, however
 * escaped, reads a file the run's stage logs are not (the requests go out as raw bytes, so nothing
 * on the client normalises them first).
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunPageIT {
    static final String RUN_ID = "20261202T100000Z-abc123";
    static final String SECRET = "never-served-7f3a";
    static final String APPLY_RUN = "20261202T110000Z-def456";
    /** The execution that made {@link #APPLY_RUN}, named as a merged PR's comment names it. */
    static final String EXECUTION = dev.cairn.functions.pr.MergeLinks.applyRun("dev", "89abcdef0123456789abcdef0123456789abcdef");

    @TempDir
    static Path tmp;
    Path state;
    LocalServer server;
    ServedRepo repo;
    final StringWriter log = new StringWriter();

    @BeforeAll
    void serve() throws Exception {
        repo = new ServedRepo(tmp.resolve("infra"));
        var quickstart = Path.of(System.getProperty("cairn.repoRoot")).resolve("examples/quickstart");
        try (var files = Files.walk(quickstart)) {
            for (var file : files.filter(Files::isRegularFile).toList()) repo.write(quickstart.relativize(file).toString(), Files.readString(file));
        }
        repo.commit("quickstart");
        state = tmp.resolve("state");
        var workspace = new Workspace(state);
        var stages = new LinkedHashMap<String, StageResult>();
        var started = Instant.parse("2026-12-02T10:00:00Z");
        stages.put("network", new StageResult("network", StageStatus.PLANNED, new PlanSummary(2, 1, 0, List.of(), List.of()), null,
                started, started.plusMillis(2500), BundleKeys.log("dev", RUN_ID, "network")));
        stages.put("app_db", new StageResult("app_db", StageStatus.FAILED, null, "Error: <b>quota</b> exceeded", started, started.plusSeconds(1),
                BundleKeys.log("dev", RUN_ID, "app_db")));
        workspace.runs().put(new Run(RUN_ID, "dev", RunAction.PLAN, RunStatus.FAILED, "github:push d-1", "0123456789abcdef0123", started,
                started.plusSeconds(3), List.of(List.of("network", "app_db")), stages, "a stage failed", 0));
        var applied = new LinkedHashMap<String, StageResult>();
        applied.put("network", new StageResult("network", StageStatus.APPLIED, new PlanSummary(0, 1, 0, List.of(), List.of()), null,
                started.plusSeconds(3600), started.plusSeconds(3610), BundleKeys.log("dev", APPLY_RUN, "network")));
        workspace.runs().put(new Run(APPLY_RUN, "dev", RunAction.APPLY, RunStatus.SUCCEEDED, "github:push d-2", "89abcdef0123456789abcdef0123456789abcdef",
                started.plusSeconds(3600), started.plusSeconds(3611), List.of(List.of("network")), applied, null, 0,
                "arn:aws:states:local:000000000000:execution:cairn-local-reconcile:" + EXECUTION));
        workspace.blobs().put(BundleKeys.log("dev", APPLY_RUN, "network"), "$ terraform apply\n".getBytes(StandardCharsets.UTF_8));
        workspace.blobs().put(BundleKeys.log("dev", RUN_ID, "network"), "$ terraform plan\n<script>alert(1)</script> & done\n".getBytes(StandardCharsets.UTF_8));
        // files a path escape would reach: beside the logs, in the state dir, and outside it
        Files.writeString(state.resolve("outside.log"), SECRET);
        Files.writeString(tmp.resolve("outside.log"), SECRET);
        Files.createDirectories(state.resolve("logs/dev"));
        Files.writeString(state.resolve("logs/dev/planted.log"), SECRET);
        server = LocalServer.start(new LocalServer.Options(repo.dir, Path.of(System.getProperty("cairn.repoRoot")).resolve("template.yaml"), state, 0,
                Map.of(), new PrintWriter(log, true)));
    }

    @AfterAll
    void stop() {
        if (server != null) server.stop();
        if (repo != null) repo.close();
    }

    @Test
    void theRunPageShowsTheRunItsStagesAndTheirLogsEscaped() throws Exception {
        var page = get("/runs/dev/" + RUN_ID);
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        assertThat(page.header("content-type")).startsWith("text/html");
        assertThat(page.body()).contains(RUN_ID, "failed", "github:push d-1", "0123456789abcdef0123", "a stage failed",
                "+2 ~1 -0", "2.5 s", "Error: &lt;b&gt;quota&lt;/b&gt; exceeded", "Log of <code>network</code>",
                "$ terraform plan\n&lt;script&gt;alert(1)&lt;/script&gt; &amp; done", "href=\"/runs/dev/" + RUN_ID + "/network.log\"",
                "no log (the stage has not run)").doesNotContain("<script>", "<b>quota");
    }

    @Test
    void aStageLogIsServedAsPlainText() throws Exception {
        var text = get("/runs/dev/" + RUN_ID + "/network.log");
        assertThat(text.status()).isEqualTo(200);
        assertThat(text.header("content-type")).startsWith("text/plain");
        assertThat(text.header("x-content-type-options")).isEqualTo("nosniff");
        assertThat(text.body()).isEqualTo("$ terraform plan\n<script>alert(1)</script> & done\n");
    }

    @Test
    void theNameOfTheExecutionThatMadeARunRedirectsToItsPage() throws Exception {
        assertThat(EXECUTION).startsWith("dev-apply-89abcdef0123-");
        var page = get("/runs/dev/" + EXECUTION);
        assertThat(page.status()).as(page.body()).isEqualTo(302);
        assertThat(page.header("location")).isEqualTo("/runs/dev/" + APPLY_RUN);
        assertThat(get(page.header("location")).body()).contains(APPLY_RUN, "succeeded", "$ terraform apply");
        var log = get("/runs/dev/" + EXECUTION + "/network.log");
        assertThat(log.status()).isEqualTo(302);
        assertThat(log.header("location")).isEqualTo("/runs/dev/" + APPLY_RUN + "/network.log");
        // only an infrastructure's own executions: prod has none of that name
        assertThat(get("/runs/prod/" + EXECUTION)).satisfies(r -> {
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.body()).contains("no run " + EXECUTION + " of infrastructure prod");
        });
    }

    @Test
    void previewsNeverPushAnInfrastructuresOwnRunsOffTheStatusPage() throws Exception {
        var workspace = new Workspace(state);
        var at = Instant.parse("2026-12-03T08:00:00Z");
        var sha = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
        workspace.runs().put(new Run("20261203T080000Z-a0a0a0", "prod", RunAction.APPLY, RunStatus.SUCCEEDED, "github:push d-9", sha, at,
                at.plusSeconds(5), List.of(), new LinkedHashMap<>(), null, 0));
        for (int i = 1; i <= 6; i++) {
            workspace.runs().put(new Run(String.format("20261203T%02d0000Z-p%016d", 8 + i, i), "prod", RunAction.PLAN, RunStatus.SUCCEEDED,
                    dev.cairn.reconciler.preview.Previews.trigger("github", "acme/infra#" + i, sha, "main", sha), sha, at.plusSeconds(3600L * i),
                    at.plusSeconds(3600L * i + 5), List.of(), new LinkedHashMap<>(), null, 0));
        }
        var body = get("/").body();
        var prod = body.substring(body.indexOf("20261203T080000Z-a0a0a0") - 200);
        assertThat(prod).contains("href=\"/runs/prod/20261203T080000Z-a0a0a0\"", "latest plan previews of pull/merge requests",
                "plan preview of acme/infra#6 (nothing applied)", "plan preview of acme/infra#4").doesNotContain("acme/infra#3 ");
        assertThat(prod.indexOf("20261203T080000Z-a0a0a0")).as("the apply comes first").isLessThan(prod.indexOf("acme/infra#6"));
    }

    @Test
    void theStatusPageLinksTheRun() throws Exception {
        assertThat(get("/").body()).contains("href=\"/runs/dev/" + RUN_ID + "\"");
    }

    @Test
    void unknownInfrastructureRunOrStageIsANotFoundThatSaysSo() throws Exception {
        assertThat(get("/runs/prod/" + RUN_ID)).satisfies(r -> {
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.body()).contains("no run " + RUN_ID + " of infrastructure prod");
        });
        assertThat(get("/runs/dev/20261202T100000Z-nope")).satisfies(r -> {
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.body()).contains("no run 20261202T100000Z-nope of infrastructure dev");
        });
        assertThat(get("/runs/dev/" + RUN_ID + "/kubernetes.log")).satisfies(r -> {
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.body()).contains("has no stage log kubernetes.log (its stages: network, app_db)");
        });
        assertThat(get("/runs/dev/" + RUN_ID + "/app_db.log")).satisfies(r -> {
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.body()).contains("stage app_db of run " + RUN_ID + " has no log yet");
        });
        assertThat(get("/runs/dev")).satisfies(r -> {
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.body()).contains("runs are at /runs/INFRA/RUN");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/runs/dev/" + RUN_ID + "/..%2F..%2F..%2Foutside.log",
            "/runs/dev/" + RUN_ID + "/%2e%2e%2fplanted.log",
            "/runs/dev/" + RUN_ID + "/../planted.log",
            "/runs/dev/" + RUN_ID + "/..%5Cplanted.log",
            "/runs/dev/..%2F..%2Foutside.log",
            "/runs/dev/" + RUN_ID + "%2F..%2F..%2F..%2Foutside.log",
            "/runs/..%2F..%2F..%2F..%2Ftmp/outside.log",
            "/runs/%2e%2e/%2e%2e/outside.log",
            "/runs/dev/" + RUN_ID + "/network.log/..%2F..%2F..%2F..%2Foutside.log",
            "/runs/dev/" + RUN_ID + "/network.log%00",
            "/runs/dev/" + RUN_ID + "/network%2Elog",
            "/runs/dev/" + RUN_ID + "/network.log/extra",
            "/runs/DEV/" + RUN_ID,
            "/runs/dev/" + RUN_ID + "/../../../outside.log",
    })
    void noPathEscapesTheStageLogs(String path) throws Exception {
        var response = get(path);
        assertThat(response.status()).as(path + ": " + response.body()).isEqualTo(404);
        assertThat(response.body()).doesNotContain(SECRET);
    }

    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** One GET with the path sent exactly as given (a raw HTTP/1.1 request: no client-side normalisation). */
    private Response get(String path) throws IOException {
        try (var socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            var raw = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int split = raw.indexOf("\r\n\r\n");
            var head = raw.substring(0, split).split("\r\n");
            var headers = new LinkedHashMap<String, String>();
            for (int i = 1; i < head.length; i++) {
                int colon = head[i].indexOf(':');
                headers.put(head[i].substring(0, colon).strip().toLowerCase(), head[i].substring(colon + 1).strip());
            }
            var body = raw.substring(split + 4);
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) body = unchunk(body);
            return new Response(Integer.parseInt(head[0].split(" ")[1]), headers, body);
        }
    }

    private static String unchunk(String body) {
        var out = new StringBuilder();
        int at = 0;
        while (true) {
            int line = body.indexOf("\r\n", at);
            int size = Integer.parseInt(body.substring(at, line).strip(), 16);
            if (size == 0) return out.toString();
            out.append(body, line + 2, line + 2 + size);
            at = line + 2 + size + 2;
        }
    }
}
