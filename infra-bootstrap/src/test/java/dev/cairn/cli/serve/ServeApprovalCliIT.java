package dev.cairn.cli.serve;

import dev.cairn.cli.Cairn;
import dev.cairn.reconciler.approval.local.LocalApprovalStore;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.statemachine.Executions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cairn reject RUN} and {@code cairn approve RUN} answer the approval a run waits on under
 * {@code cairn serve}: a rejected stage is recorded not approved and nothing is applied; an
 * approved one is applied from the plan that was reviewed.
 */
@Tag("integration")
class ServeApprovalCliIT {
    @TempDir
    Path tmp;

    @Test
    void rejectThenApproveFromTheCommandLine() throws Exception {
        try (var repo = new ServedRepo(tmp.resolve("infra"))) {
            repo.write("cairn.yaml", "apiVersion: cairn.dev/v1\nkind: Repository\nbranch: main\ndefaults:\n  provider: { cloud: none }\n")
                    .write("modules/app/main.tf", "variable \"size\" {}\nresource \"terraform_data\" \"this\" { input = var.size }\noutput \"size\" { value = terraform_data.this.output }\n")
                    .write("infrastructures/prod.yaml", manifest("small"));
            var first = repo.commit("prod");
            var state = tmp.resolve("state");
            var server = repo.serve(state);
            try {
                var rejected = waitForApproval(repo, server, state, ServedRepo.ZERO, first);
                assertThat(cli("reject", rejected, "--state-dir", state.toString(), "--as", "alice", "--reason", "not today")).contains("rejected");
                var ended = server.executions().await(execution(server, 0), Duration.ofMinutes(3));
                assertThat(ended.status()).as(repo.log.toString()).isEqualTo(Executions.Status.FAILED);
                var run = new Workspace(state).runs().get("prod", rejected).orElseThrow();
                assertThat(run.status()).isEqualTo(RunStatus.FAILED);
                assertThat(run.stage("app").status()).isEqualTo(StageStatus.FAILED);
                assertThat(run.stage("app").error()).contains("not approved", "rejected by cli:alice", "not today");
                assertThat(new Workspace(state).outputs().all("prod")).as("nothing applied").isEmpty();
                assertThat(new Workspace(state).locks().owner("prod")).isEmpty();

                repo.write("infrastructures/prod.yaml", manifest("large"));
                var second = repo.commit("prod: large");
                var approved = waitForApproval(repo, server, state, first, second);
                assertThat(cli("approve", approved, "--state-dir", state.toString(), "--as", "bob")).contains("approved");
                var done = server.executions().await(execution(server, 1), Duration.ofMinutes(3));
                assertThat(done.status()).as(repo.log.toString()).isEqualTo(Executions.Status.SUCCEEDED);
                var applied = new Workspace(state).runs().get("prod", approved).orElseThrow();
                assertThat(applied.stage("app").status()).isEqualTo(StageStatus.APPLIED);
                assertThat(new Workspace(state).outputs().all("prod").get("app").values().get("size").value()).isEqualTo("large");
                assertThat(cli("approve", approved, "--state-dir", state.toString())).contains("no approval waits for run " + approved);
            } finally {
                server.stop();
            }
        }
    }

    private static String waitForApproval(ServedRepo repo, LocalServer server, Path state, String before, String after) throws Exception {
        var response = repo.push(server, before, after);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        var approvals = new LocalApprovalStore(state.resolve("approvals"));
        var deadline = Instant.now().plusSeconds(180);
        while (approvals.pending("prod").isEmpty()) {
            assertThat(Instant.now()).as("an approval is requested\n" + repo.log).isBefore(deadline);
            Thread.sleep(200);
        }
        return approvals.pending("prod").getFirst().runId();
    }

    private static String execution(LocalServer server, int index) {
        return server.executions().list().get(index).name();
    }

    private static String cli(String... args) {
        var out = new StringWriter();
        var line = Cairn.commandLine();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(out, true));
        line.execute(args);
        return out.toString();
    }

    private static String manifest(String size) {
        return """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: prod
                spec:
                  modules:
                    - name: app
                      source: app
                      inputs:
                        size: %s
                  policy:
                    apply: approval
                    approvers: [U0PLATFORM]
                """.formatted(size);
    }
}
