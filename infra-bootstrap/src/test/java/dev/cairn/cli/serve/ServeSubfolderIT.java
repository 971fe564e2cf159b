package dev.cairn.cli.serve;

import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.statemachine.Executions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cairn serve} on a folder inside a git repository (a monorepo): the quickstart at
 * {@code examples/quickstart} of a JGit repository that also holds other files, served as that
 * folder; the webhook points at the enclosing repository, and only pushes changing files under the
 * folder start runs. Real handlers, the real definition, real Terraform. Served with
 * {@code --slack-stub} and no Slack URL or token exported, dev's run thread (its manifest names a
 * Slack channel) is posted by the task function to the stub, which says so in the serve log; the
 * run page answers the execution's name with a redirect to its run.
 */
class ServeSubfolderIT {
    @TempDir
    Path tmp;

    @Test
    void aPushChangingDevUnderTheFolderRunsDevAndAPushOutsideItStartsNothing() throws Exception {
        var root = tmp.resolve("mono");
        try (var repo = new ServedRepo(root)) {
            var folder = ServeIT.copy(Path.of(System.getProperty("cairn.repoRoot")).resolve("examples/quickstart"),
                    root.resolve("examples/quickstart"));
            var devManifest = folder.resolve("infrastructures/dev.yaml");
            Files.writeString(devManifest, Files.readString(devManifest).replace("  policy:\n", "  notifications:\n    slack: {channel: C0INFRA}\n  policy:\n"));
            assertThat(Files.readString(devManifest)).contains("channel: C0INFRA");
            repo.write("README.md", "a monorepo: an app and its infrastructure\n").write("app/main.go", "package main\n")
                    .write(".gitignore", ".cairn/\n.terraform/\n");
            var first = repo.commit("monorepo");

            var server = LocalServer.start(new LocalServer.Options(folder, Path.of(System.getProperty("cairn.repoRoot")).resolve("template.yaml"),
                    tmp.resolve("state"), 0, java.util.Map.of("CAIRN_GITHUB_WEBHOOK_SECRET", ServedRepo.WEBHOOK_SECRET),
                    new java.io.PrintWriter(repo.log, true), true));
            try {
                assertThat(server.repository().root()).isEqualTo(root.toAbsolutePath().normalize());
                assertThat(server.repository().path().value()).isEqualTo("examples/quickstart");
                assertThat(server.repository().url()).endsWith("/mono");

                // a push changing only files outside the folder starts nothing
                repo.write("README.md", "a monorepo, documented\n").write("app/main.go", "package main\n\nfunc main() {}\n");
                var outside = repo.commit("app work");
                var response = repo.push(server, first, outside);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                var answer = Json.MAPPER.readTree(response.body());
                assertThat(answer.path("outcome").asText()).isEqualTo("nothing-started");
                assertThat(answer.path("unchanged").toString()).contains("dev", "prod");
                Thread.sleep(500);
                assertThat(server.executions().list()).isEmpty();

                // a push changing dev's manifest under the folder runs dev to success
                var dev = folder.resolve("infrastructures/dev.yaml");
                Files.writeString(dev, Files.readString(dev).replace("db_size: micro", "db_size: tiny"));
                var inside = repo.commit("dev: a tiny database");
                response = repo.push(server, outside, inside);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                answer = Json.MAPPER.readTree(response.body());
                assertThat(answer.path("started")).hasSize(1);
                assertThat(answer.path("started").get(0).path("infrastructure").asText()).isEqualTo("dev");
                var execution = server.executions().await(answer.path("started").get(0).path("execution").asText(), ServeIT.RUN_LIMIT);
                assertThat(execution.status()).as(execution + "\n" + repo.log).isEqualTo(Executions.Status.SUCCEEDED);
                var run = new Workspace(tmp.resolve("state")).runs().list("dev", 1).getFirst();
                assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
                assertThat(run.revision()).isEqualTo(inside);
                assertThat(run.stages().values()).isNotEmpty().allSatisfy(s -> assertThat(s.status()).as(s.stage()).isEqualTo(StageStatus.APPLIED));
                assertThat(server.executions().list()).hasSize(1);

                // the task function's run thread went to the stub (nothing exported points it anywhere), and the stub said so
                assertThat(repo.log.toString()).as(repo.log.toString()).contains("slack-stub chat.postMessage to C0INFRA: apply dev: ");

                // the execution's name (what a merged PR's comment names) leads to its run's page
                var http = HttpClient.newHttpClient();
                var executionName = answer.path("started").get(0).path("execution").asText();
                var byName = http.send(HttpRequest.newBuilder(server.url().resolve("runs/dev/" + executionName)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(byName.statusCode()).as(byName.body()).isEqualTo(302);
                assertThat(byName.headers().firstValue("location")).hasValue("/runs/dev/" + run.id());
                var followed = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()
                        .send(HttpRequest.newBuilder(server.url().resolve("runs/dev/" + executionName)).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(followed.statusCode()).isEqualTo(200);
                assertThat(followed.body()).contains("dev run <code>" + run.id() + "</code>", "succeeded");

                // the page names the folder and its repository, and shows the run
                var page = http.send(HttpRequest.newBuilder(URI.create(server.url().toString())).GET().build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(page).contains("folder examples/quickstart of the git repository " + root.toAbsolutePath().normalize())
                        .contains(run.id());
            } finally {
                server.stop();
            }
        }
    }
}
