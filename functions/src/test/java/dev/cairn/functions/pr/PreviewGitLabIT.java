package dev.cairn.functions.pr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.terraform.PlanSummary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The preview notifier against a local stand-in for GitLab's REST API (recording every call):
 * a merge request's note is created at the first preview and edited in place at the next head,
 * the commit status goes running → success on each head, a sensitive output value and the token
 * never leave, and other runs still reach the other notifier while previews do not.
 */
class PreviewGitLabIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "glpat-previewTokenNeverInABody";
    static final String SECRET = "kc-0123456789abcdef0123";
    static final String BASE = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";

    HttpServer server;
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final List<String> tokens = new CopyOnWriteArrayList<>();
    final Map<Long, String> notes = new LinkedHashMap<>();
    final List<JsonNode> statuses = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v4/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private synchronized void handle(HttpExchange exchange) throws IOException {
        var method = exchange.getRequestMethod();
        var path = exchange.getRequestURI().getRawPath();
        var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        calls.add(method + " " + path);
        if (!body.isEmpty()) bodies.add(body);
        tokens.add(String.valueOf(exchange.getRequestHeaders().getFirst("PRIVATE-TOKEN")));
        JsonNode answer;
        int status = 200;
        if (method.equals("GET") && path.equals("/api/v4/projects/acme%2Finfra/merge_requests/7/notes")) {
            var list = JSON.createArrayNode();
            notes.forEach((id, text) -> list.addObject().put("id", id).put("body", text));
            answer = list;
        } else if (method.equals("POST") && path.equals("/api/v4/projects/acme%2Finfra/merge_requests/7/notes")) {
            long id = 100 + notes.size();
            notes.put(id, JSON.readTree(body).path("body").asText());
            answer = JSON.createObjectNode().put("id", id);
            status = 201;
        } else if (method.equals("PUT") && path.matches("/api/v4/projects/acme%2Finfra/merge_requests/7/notes/\\d+")) {
            notes.put(Long.parseLong(path.substring(path.lastIndexOf('/') + 1)), JSON.readTree(body).path("body").asText());
            answer = JSON.createObjectNode();
        } else if (method.equals("POST") && path.matches("/api/v4/projects/acme%2Finfra/statuses/[0-9a-f]{40}")) {
            var st = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(body);
            st.put("sha", path.substring(path.lastIndexOf('/') + 1));
            statuses.add(st);
            answer = st;
            status = 201;
        } else {
            answer = JSON.createObjectNode().put("message", "404 Not Found");
            status = 404;
        }
        var bytes = JSON.writeValueAsBytes(answer);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    static Run preview(String head, RunStatus status) {
        var stages = new LinkedHashMap<String, StageResult>();
        var plan = new PlanSummary(0, 1, 0, List.of(new PlanSummary.ResourceChange("terraform_data.this", PlanSummary.Action.UPDATE)),
                List.of("vpc_cidr", "vpc_id"), List.of("vpc_id"));
        stages.put("network", new StageResult("network", StageStatus.PLANNED, plan, null, null, null, null, null, null));
        stages.put("addons", new StageResult("addons", StageStatus.NO_CHANGES, PlanSummary.EMPTY, null, null, null, null, null, null)
                .withInexact(List.of("network")));
        stages.put("kubernetes", StageResult.pending("kubernetes").with(StageStatus.DEFERRED));
        return new Run("20261202T020000Z-p" + head.substring(0, 16), "dev", RunAction.PLAN, status,
                Previews.trigger("gitlab", "acme/infra!7", BASE), head, Instant.EPOCH, null, List.of(), stages, null, 1);
    }

    @Test
    void theMergeRequestNoteIsCreatedThenEditedInPlaceAndEachHeadGetsItsStatus() {
        var others = new CopyOnWriteArrayList<String>();
        RunNotifier slack = new RunNotifier() {
            public void runStarted(Run run) { others.add("started " + run.id()); }
            public void stageChanged(Run run, StageResult stage) { others.add("stage " + run.id()); }
            public void approvalRequested(Run run, dev.cairn.reconciler.approval.ApprovalStore.Approval approval) { }
            public void runFinished(Run run, Map<String, StageOutputs> outputs) { others.add("finished " + run.id()); }
            public void driftFound(Run run) { }
        };
        var notifier = PreviewWiring.notifier(Map.of("CAIRN_GITLAB_TOKEN", TOKEN, "CAIRN_GITLAB_API_URL",
                "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v4", RunLinks.RUN_URL, "https://cairn.example.com/runs/{infrastructure}/{run}"), slack);
        var outputs = Map.of("addons", new StageOutputs("addons", "r0", Instant.EPOCH,
                Map.of("keycloak_admin_password", new StageOutputs.Output(SECRET, true))));

        var first = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
        notifier.runStarted(preview(first, RunStatus.RUNNING));
        notifier.stageChanged(preview(first, RunStatus.RUNNING), preview(first, RunStatus.RUNNING).stage("network"));
        notifier.runFinished(preview(first, RunStatus.SUCCEEDED), outputs);
        var second = "1e2b37f78e9f6fb0f7cbb6d68d4ecd8ea2be1d2d";
        notifier.runStarted(preview(second, RunStatus.RUNNING));
        notifier.runFinished(preview(second, RunStatus.SUCCEEDED), outputs);

        assertThat(calls).filteredOn(c -> c.startsWith("POST /api/v4/projects/acme%2Finfra/merge_requests/7/notes")).hasSize(1);
        assertThat(calls).filteredOn(c -> c.startsWith("PUT /api/v4/projects/acme%2Finfra/merge_requests/7/notes/100")).hasSize(1);
        assertThat(notes).hasSize(1);
        assertThat(notes.get(100L)).startsWith("<!-- cairn:preview:dev -->").contains("| `network` | `+0 ~1 -0` · outputs: vpc_cidr, vpc_id (known after apply) |")
                .contains("\n**Plan has changes:** +0 ~1 -0 in 1 stage · 1 inexact · 1 deferred until upstream applies. Merging applies them.\n")
                .contains("| `addons` | no changes · inexact: depends on changes in `network` |")
                .contains("| `kubernetes` | deferred: reads an input known only after an upstream stage applies"
                        + " (before it in this run: `network` has outputs known only after apply) |")
                .contains("head `" + second.substring(0, 12)).doesNotContain(first.substring(0, 12));
        var secondRun = preview(second, RunStatus.SUCCEEDED).id();
        assertThat(notes.get(100L)).as("the note links the full log (CAIRN_RUN_URL)")
                .contains("Full log: [run `" + secondRun + "`](https://cairn.example.com/runs/dev/" + secondRun + ")");
        assertThat(statuses).extracting(s -> s.path("sha").asText().substring(0, 6) + " " + s.path("state").asText() + " " + s.path("name").asText())
                .containsExactly("0d1a26 running cairn/plan/dev", "0d1a26 success cairn/plan/dev",
                        "1e2b37 running cairn/plan/dev", "1e2b37 success cairn/plan/dev");
        assertThat(statuses.getLast().path("description").asText()).isEqualTo("+0 ~1 -0 in 1 stage · 1 inexact · 1 deferred until upstream applies");
        assertThat(statuses).as("each status's Details link is its run's log").allSatisfy(st -> assertThat(st.path("target_url").asText())
                .isEqualTo("https://cairn.example.com/runs/dev/" + preview(st.path("sha").asText(), RunStatus.RUNNING).id()));
        assertThat(tokens).containsOnly(TOKEN);
        assertThat(bodies).noneMatch(b -> b.contains(SECRET) || b.contains(TOKEN));
        assertThat(others).as("of a preview only its end reaches the Slack notifier (which posts it only when the manifest asks)")
                .containsExactly("finished " + preview(first, RunStatus.SUCCEEDED).id(), "finished " + preview(second, RunStatus.SUCCEEDED).id());
        others.clear();

        // a preview cancelled for a newer head leaves the comment to that head and closes only its own status
        var superseded = preview(first, RunStatus.FAILED);
        superseded = new Run(superseded.id(), "dev", RunAction.PLAN, RunStatus.FAILED, superseded.trigger(), first, Instant.EPOCH, Instant.EPOCH,
                List.of(), superseded.stages(), "the execution was aborted: " + Previews.SUPERSEDED + second + " of acme/infra!7", 2);
        var noteBefore = notes.get(100L);
        notifier.runFinished(superseded, outputs);
        assertThat(notes.get(100L)).isEqualTo(noteBefore);
        assertThat(statuses.getLast().path("state").asText()).isEqualTo("failed");
        assertThat(statuses.getLast().path("sha").asText()).isEqualTo(first);

        // any other run still does
        var apply = new Run("20261202T030000Z-abcdef", "dev", RunAction.APPLY, RunStatus.SUCCEEDED, "gitlab:push d-1", first,
                Instant.EPOCH, Instant.EPOCH, List.of(), Map.of(), null, 1);
        notifier.runFinished(apply, Map.of());
        assertThat(others).containsExactly("finished " + apply.id());
    }

    static Run startedAt(Run run, Instant started) {
        return new Run(run.id(), run.infrastructure(), run.action(), run.status(), run.trigger(), run.revision(), started, started,
                run.waves(), run.stages(), run.error(), run.version());
    }

    @Test
    void anOlderHeadsPreviewEndingLastNeverOverwritesTheNoteOfTheNewerHead() {
        var notifier = PreviewWiring.notifier(Map.of("CAIRN_GITLAB_TOKEN", TOKEN, "CAIRN_GITLAB_API_URL",
                "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v4"), RunNotifier.NONE);
        var older = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
        var newer = "1e2b37f78e9f6fb0f7cbb6d68d4ecd8ea2be1d2d";
        // the newer head's preview started later but ends first; the older one (not cancelled in time) ends after it
        notifier.runFinished(startedAt(preview(newer, RunStatus.SUCCEEDED), Instant.parse("2026-12-02T02:05:00Z")), Map.of());
        var note = notes.get(100L);
        assertThat(note).contains("head `" + newer.substring(0, 12));
        notifier.runFinished(startedAt(preview(older, RunStatus.SUCCEEDED), Instant.parse("2026-12-02T02:00:00Z")), Map.of());

        assertThat(notes).hasSize(1);
        assertThat(notes.get(100L)).as("the note still shows the newer head").isEqualTo(note);
        assertThat(statuses.getLast().path("sha").asText()).isEqualTo(older);
        assertThat(statuses.getLast().path("state").asText()).isEqualTo("failed");
        assertThat(statuses.getLast().path("description").asText()).isEqualTo("superseded by a newer head");

        // a later preview of the same newer head (a rerun) still edits it
        notifier.runFinished(startedAt(preview(newer, RunStatus.FAILED), Instant.parse("2026-12-02T02:10:00Z")), Map.of());
        assertThat(notes.get(100L)).isNotEqualTo(note).contains("**The preview failed:**");
    }
}
