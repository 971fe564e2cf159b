package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.reconciler.manifest.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code terraform.parallelism} in cairn.yaml bounds how many stages run at once, proved from the
 * stage intervals the run records (not from wall-clock time): with 1, no two of three independent
 * stages overlap; with 3, some do.
 */
class QualityParallelismIT {
    @TempDir
    Path tmp;

    record Interval(Instant start, Instant end) {
        boolean overlaps(Interval o) {
            return start.isBefore(o.end) && o.start.isBefore(end);
        }
    }

    static void write(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    List<Interval> applyWith(int parallelism) throws Exception {
        var repo = tmp.resolve("repo-" + parallelism);
        write(repo.resolve("cairn.yaml"), "apiVersion: cairn.dev/v1\nkind: Repository\nterraform:\n  parallelism: " + parallelism + "\n");
        write(repo.resolve("modules/slow/main.tf"), """
                resource "terraform_data" "this" {
                  provisioner "local-exec" {
                    command = "sleep 2"
                  }
                }
                """);
        write(repo.resolve("infrastructures/dev.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: dev
                spec:
                  modules:
                    - { name: one, source: slow }
                    - { name: two, source: slow }
                    - { name: three, source: slow }
                """);
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Cairn.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute("apply", repo.toString(), "--infra", "dev", "--yes", "-o", "json")).as(err.toString()).isZero();
        JsonNode run = Json.MAPPER.readTree(out.toString());
        var intervals = new ArrayList<Interval>();
        for (var stage : List.of("one", "two", "three")) {
            var s = run.at("/stages/" + stage);
            assertThat(s.path("status").asText()).isEqualTo("APPLIED");
            intervals.add(new Interval(Instant.parse(s.path("startedAt").asText()), Instant.parse(s.path("finishedAt").asText())));
        }
        return intervals;
    }

    static boolean anyOverlap(List<Interval> intervals) {
        for (int i = 0; i < intervals.size(); i++) {
            for (int j = i + 1; j < intervals.size(); j++) if (intervals.get(i).overlaps(intervals.get(j))) return true;
        }
        return false;
    }

    @Test
    void oneStageAtATimeWithParallelismOneAndOverlappingStagesWithThree() throws Exception {
        assertThat(anyOverlap(applyWith(1))).as("parallelism 1: stages one after another").isFalse();
        assertThat(anyOverlap(applyWith(3))).as("parallelism 3: independent stages together").isTrue();
    }
}
