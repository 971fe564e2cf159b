package dev.cairn.cli;

import dev.cairn.reconciler.manifest.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.cairn.cli.CliIT.cairn;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cairn status --run ID}: how each stage's plan was made, the time of each terraform
 * command, the wait for upstream stages and the critical path, from a real run of the quickstart.
 */
class CliRunDetailIT {
    @TempDir
    Path tmp;

    @Test
    void statusOfOneRunShowsPlanningTimingsAndTheCriticalPath() throws Exception {
        var repo = Examples.copy("quickstart", tmp.resolve("quickstart"));
        assertThat(cairn("apply", repo.toString(), "--infra", "dev", "--yes").exit()).isZero();
        // network's name changes: its outputs (all known at plan time) feed kubernetes and app_db
        var dev = repo.resolve("infrastructures/dev.yaml");
        Files.writeString(dev, Files.readString(dev).replace("clusterName: acme-dev", "clusterName: acme-dev-green"));

        var apply = cairn("apply", repo.toString(), "--infra", "dev", "--yes");
        assertThat(apply.exit()).as(apply.err()).isZero();
        assertThat(apply.out()).containsPattern("Plans: .*speculative.*redone \\(addons\\).*critical path [0-9.]+s")
                .contains("cairn status REPO --infra dev --run ");
        var id = apply.out().substring(apply.out().indexOf("--run ") + 6).trim().split("\\s")[0];

        var text = cairn("status", repo.toString(), "--infra", "dev", "--run", id);

        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out()).contains(id)
                .containsPattern("kubernetes +applied .*direct|kubernetes +applied .*speculative")
                .containsPattern("addons +applied .*redone")
                .containsPattern("app_db +no changes .*speculative")
                .containsPattern("plan [0-9.]+s")
                .containsPattern("addons .*\n .*waited [0-9.]+s for [a-z_, ]*kubernetes")
                .containsPattern("critical path [0-9.]+s \\(.*addons\\), wall [0-9.]+s");

        var json = Json.MAPPER.readTree(cairn("status", repo.toString(), "--infra", "dev", "--run", id, "-o", "json").out());
        assertThat(json.at("/run/id").asText()).isEqualTo(id);
        assertThat(json.at("/run/stages/addons/planning").asText()).isEqualTo("REDONE");
        assertThat(json.at("/run/stages/app_db/planning").asText()).isEqualTo("SPECULATIVE");
        assertThat(json.at("/run/stages/addons/timings/commands/plan").asLong()).isPositive();
        assertThat(json.at("/run/stages/addons/timings/after").toString()).contains("kubernetes");
        assertThat(json.at("/criticalPath/millis").asLong()).isPositive().isLessThanOrEqualTo(json.at("/wallMillis").asLong());
        // addons was redone after kubernetes applied: the path ends with that chain
        assertThat(json.at("/criticalPath/stages").toString()).endsWith("\"kubernetes\",\"addons\"]");

        var missing = cairn("status", repo.toString(), "--infra", "dev", "--run", "20000101T000000Z-000000");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("No run 20000101T000000Z-000000 of `dev`").contains("cairn status");
    }
}
