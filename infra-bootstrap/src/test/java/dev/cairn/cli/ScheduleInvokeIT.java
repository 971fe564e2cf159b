package dev.cairn.cli;

import dev.cairn.reconciler.manifest.Json;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.transport.RefSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cairn invoke ScheduleFunction --event events/schedule.json} on the repository's own
 * template and event, without a stack: the local stores and queue, a {@code file://} repository
 * made with JGit in place of {@code RepoUrl}.
 */
class ScheduleInvokeIT {
    @TempDir
    Path tmp;

    @Test
    void theScheduledEventCatchesUpAnInfrastructureNeverReconciledIntoTheLocalQueue() throws Exception {
        var bare = tmp.resolve("origin.git");
        Git.init().setBare(true).setInitialBranch("main").setGitDir(bare.toFile()).setDirectory(bare.toFile()).call().close();
        var work = tmp.resolve("work");
        String head;
        try (var git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            Files.createDirectories(work.resolve("infrastructures"));
            Files.writeString(work.resolve("cairn.yaml"), "apiVersion: cairn.dev/v1\nkind: Repository\nbranch: main\n");
            Files.writeString(work.resolve("infrastructures/dev.yaml"), """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata: { name: dev }
                    spec:
                      provider: { cloud: none }
                      modules: [{ name: app, source: ./modules/app }]
                    """);
            Files.createDirectories(work.resolve("modules/app"));
            Files.writeString(work.resolve("modules/app/main.tf"), "resource \"terraform_data\" \"this\" {}\n");
            git.add().addFilepattern(".").call();
            var who = new PersonIdent("Cairn Test", "test@cairn.dev", Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
            head = git.commit().setMessage("dev").setAuthor(who).setCommitter(who).setSign(false).call().getId().name();
            git.push().setRemote(bare.toUri().toString()).setRefSpecs(new RefSpec("refs/heads/main:refs/heads/main")).call();
        }
        var state = tmp.resolve("state");

        var result = InvokeCommandTest.invoke(Map.of("AWS_REGION", "eu-west-1", "CAIRN_STATE_DIR", state.toString(),
                        "CAIRN_GIT_CACHE_DIR", tmp.resolve("git-cache").toString()),
                "ScheduleFunction", "--event", EmulatedStacks.REPO.resolve("events/schedule.json").toString(),
                "--template", EmulatedStacks.REPO.resolve("template.yaml").toString(),
                "--parameter", "RepoUrl=" + bare.toUri());

        assertThat(result.exit()).as(result.err()).isZero();
        var body = result.json();
        assertThat(body.path("commit").asText()).isEqualTo(head);
        assertThat(body.path("window").asText()).isEqualTo("2026-12-02T01:00:00Z");
        var started = body.path("started").get(0);
        assertThat(started.path("infrastructure").asText()).isEqualTo("dev");
        assertThat(started.path("action").asText()).isEqualTo("APPLY");
        assertThat(started.path("trigger").asText()).isEqualTo("schedule:catch-up");
        var queued = Json.MAPPER.readTree(state.resolve("queue").resolve(started.path("execution").asText() + ".json").toFile());
        assertThat(queued.path("commit").asText()).isEqualTo(head);
        assertThat(queued.path("status").asText()).isEqualTo("recorded");
    }
}
