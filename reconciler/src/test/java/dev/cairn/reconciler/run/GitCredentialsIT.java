package dev.cairn.reconciler.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.cairn.reconciler.run.TestRepos.auto;
import static dev.cairn.reconciler.run.TestRepos.reconciler;
import static dev.cairn.reconciler.run.TestRepos.write;
import static org.assertj.core.api.Assertions.assertThat;

/** A token written in a git module URL: used for the fetch, never shown or stored. */
class GitCredentialsIT {
    @TempDir
    Path tmp;

    @Test
    void aTokenInAGitUrlNeverReachesRunRecordsLogsOrMessages() throws Exception {
        var token = "glpat-Sup3rS3cretT0ken";
        var repo = tmp.resolve("repo");
        write(repo.resolve("infrastructures/dev.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: dev
                spec:
                  modules:
                    - name: private
                      source: git::https://oauth2:%s@127.0.0.1:1/acme/modules.git//net?ref=v1
                """.formatted(token));

        var run = reconciler(repo).apply("dev", auto());

        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.stage("private").error()).contains("cannot fetch https://127.0.0.1:1/acme/modules.git").doesNotContain(token);
        assertThat(String.valueOf(run.error())).doesNotContain(token);
        try (Stream<Path> files = Files.walk(repo.resolve(".cairn"))) {
            var all = files.filter(Files::isRegularFile).toList();
            assertThat(all).anySatisfy(f -> assertThat(f.toString()).contains("/runs/"));
            for (var file : all) {
                assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).as(file.toString()).doesNotContain(token);
            }
        }
    }
}
