package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.reconciler.manifest.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.cairn.cli.CliIT.cairn;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Only what someone saw is applied: without {@code --yes}, a plan made after an upstream stage
 * applied (a deferred stage's) is shown and confirmed before it is applied, one question per wave.
 * Real terraform on the quickstart; standard input is driven as a person would.
 */
class ConfirmationIT {
    private static final InputStream STDIN = System.in;
    private static final String PROMPT = "Only 'yes' will be accepted: ";

    @TempDir
    Path tmp;

    @AfterEach
    void restoreStdin() {
        System.setIn(STDIN);
    }

    private static void answers(String text) {
        System.setIn(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static int prompts(String out) {
        return out.split(java.util.regex.Pattern.quote(PROMPT), -1).length - 1;
    }

    /** Each stage's recorded confirmation in the last run, as {@code cairn status -o json} shows it. */
    private static Map<String, String> confirmations(Path repo) throws IOException {
        var status = cairn("status", repo.toString(), "--infra", "dev", "-o", "json");
        assertThat(status.exit()).isZero();
        return confirmations(Json.MAPPER.readTree(status.out()).at("/0/lastRun"));
    }

    private static Map<String, String> confirmations(JsonNode run) {
        var out = new LinkedHashMap<String, String>();
        run.path("stages").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().path("confirmation").isNull()
                ? null : e.getValue().path("confirmation").asText(null)));
        return out;
    }

    @Test
    void oneYesOnAFreshInfrastructureAppliesOnlyTheFirstWavesAndNamesTheWaitingStages() throws Exception {
        var repo = Examples.copy("quickstart", tmp.resolve("quickstart"));
        answers("yes\n");

        var apply = cairn("apply", repo.toString(), "--infra", "dev");

        assertThat(apply.exit()).as(apply.err()).isEqualTo(1);
        assertThat(prompts(apply.out())).isEqualTo(2);
        var second = apply.out().substring(apply.out().indexOf(PROMPT) + PROMPT.length());
        // the second question shows the plans made after network applied, wave 3 only
        assertThat(second).contains("kubernetes: 1 to add, 0 to change, 0 to destroy").contains("app_db: 1 to add")
                .contains("+ terraform_data.this").contains("planned after their upstream stages applied: kubernetes, app_db")
                .contains("addons: planned after its upstream stages apply");
        assertThat(apply.out()).contains("No answer on standard input")
                .contains("Apply stopped: not confirmed; 3 stages applied")
                .contains("Waiting for confirmation: kubernetes, app_db, addons.")
                .contains("Run the same command again to continue");
        var outputs = repo.resolve(".cairn/outputs/dev");
        assertThat(outputs.resolve("network.json")).exists();
        assertThat(outputs.resolve("kubernetes.json")).doesNotExist();
        assertThat(outputs.resolve("addons.json")).doesNotExist();
        assertThat(repo.resolve(".cairn/locks/dev.lock")).as("the lock is released").doesNotExist();

        var status = cairn("status", repo.toString(), "-o", "json");
        var lastRun = Json.MAPPER.readTree(status.out()).at("/0/lastRun");
        assertThat(lastRun.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(lastRun.at("/stages/kubernetes/status").asText()).as("not failed").isEqualTo("PLANNED");
        assertThat(confirmations(repo)).containsEntry("backend", "CONFIRMED").containsEntry("network", "CONFIRMED")
                .containsEntry("domain", "CONFIRMED").containsEntry("kubernetes", "NOT_CONFIRMED")
                .containsEntry("app_db", "NOT_CONFIRMED").containsEntry("addons", "NOT_CONFIRMED");
        var text = cairn("status", repo.toString(), "--infra", "dev");
        assertThat(text.out()).contains("not confirmed").containsPattern("network +applied .*confirmed")
                .contains("run the same command again to continue");

        // running it again continues: wave 3 is planned up front now, addons is asked about after it
        answers("yes\nyes\n");
        var resumed = cairn("apply", repo.toString(), "--infra", "dev");
        assertThat(resumed.exit()).as(resumed.out()).isZero();
        assertThat(prompts(resumed.out())).isEqualTo(2);
        assertThat(resumed.out()).contains("Apply complete: 6 stages (3 applied, 3 unchanged)");
        assertThat(confirmations(repo)).containsEntry("kubernetes", "CONFIRMED").containsEntry("app_db", "CONFIRMED")
                .containsEntry("addons", "CONFIRMED_LATER").containsEntry("network", null);
    }

    @Test
    void aPersonAnsweringYesAtEveryPromptAppliesEverythingOneQuestionPerWave() throws Exception {
        var repo = Examples.copy("quickstart", tmp.resolve("quickstart"));
        var java = ProcessHandle.current().info().command().orElse("java");
        var process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Cairn.class.getName(),
                "apply", repo.toString(), "--infra", "dev").redirectErrorStream(true).start();
        var seen = new StringBuilder();
        var questions = new ArrayList<String>();
        try (var stdout = process.getInputStream(); var stdin = process.getOutputStream()) {
            int c;
            int from = 0;
            // like a person: read until the question is on screen, then answer it
            while ((c = stdout.read()) != -1) {
                seen.append((char) c);
                if (seen.length() >= PROMPT.length() && seen.lastIndexOf(PROMPT) == seen.length() - PROMPT.length()) {
                    questions.add(seen.substring(from));
                    from = seen.length();
                    stdin.write("yes\n".getBytes(StandardCharsets.UTF_8));
                    stdin.flush();
                }
            }
        }
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).as(seen.toString()).isZero();
        assertThat(questions).hasSize(3);
        assertThat(questions.get(0)).contains("backend: 1 to add").contains("network: 1 to add").contains("domain: 1 to add")
                .doesNotContain("kubernetes: 1 to add").contains("3 stages planned after upstream applies");
        assertThat(questions.get(1)).contains("kubernetes: 1 to add").contains("app_db: 1 to add").doesNotContain("addons: 1 to add");
        assertThat(questions.get(2)).contains("addons: 1 to add").contains("+ terraform_data.this")
                .contains("outputs: ").contains("keycloak_admin_password");
        assertThat(seen.toString()).contains("Apply complete: 6 stages (6 applied)");
        assertThat(confirmations(repo)).containsEntry("backend", "CONFIRMED").containsEntry("network", "CONFIRMED")
                .containsEntry("domain", "CONFIRMED").containsEntry("kubernetes", "CONFIRMED_LATER")
                .containsEntry("app_db", "CONFIRMED_LATER").containsEntry("addons", "CONFIRMED_LATER");
    }

    @Test
    void anUpstreamChangeThatAltersAConsumedOutputAfterConfirmationPromptsAgainForTheDownstreamStage() throws Exception {
        var repo = Examples.copy("quickstart", tmp.resolve("quickstart"));
        assertThat(cairn("apply", repo.toString(), "--infra", "dev", "--yes").exit()).isZero();
        // the cluster's name is known only after kubernetes applies; addons consumes it
        var dev = repo.resolve("infrastructures/dev.yaml");
        Files.writeString(dev, Files.readString(dev).replace("clusterName: acme-dev", "clusterName: acme-dev-blue"));
        answers("yes\nno\n");

        var apply = cairn("apply", repo.toString(), "--infra", "dev", "-o", "json");

        assertThat(apply.exit()).isEqualTo(1);
        assertThat(prompts(apply.err())).isEqualTo(2);
        var first = apply.err().substring(0, apply.err().indexOf(PROMPT));
        assertThat(first).contains("kubernetes: 0 to add, 1 to change, 0 to destroy").contains("~ terraform_data.this")
                .contains("addons: planned after its upstream stages apply").doesNotContain("addons: 0 to add");
        var second = apply.err().substring(apply.err().indexOf(PROMPT) + PROMPT.length());
        assertThat(second).contains("addons: 0 to add, 1 to change, 0 to destroy");
        var run = Json.MAPPER.readTree(apply.out());
        assertThat(run.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(run.path("error").asText()).contains("addons waits").contains("run the same command again");
        assertThat(run.at("/stages/kubernetes/status").asText()).isEqualTo("APPLIED");
        var confirmations = confirmations(run);
        assertThat(confirmations).containsEntry("kubernetes", "CONFIRMED").containsEntry("addons", "NOT_CONFIRMED")
                .containsEntry("network", null).containsEntry("app_db", null);
        var outputs = Json.MAPPER.readTree(cairn("outputs", repo.toString(), "--infra", "dev", "-o", "json").out());
        assertThat(outputs.at("/kubernetes/cluster_name").asText()).isEqualTo("acme-dev-blue");
        assertThat(repo.resolve(".cairn/state/dev/addons.tfstate")).content().contains("\"acme-dev\"").doesNotContain("acme-dev-blue");
        assertThat(confirmations(repo)).isEqualTo(confirmations);
    }

    @Test
    void yesNeverPromptsAndRecordsEveryAppliedStageAsRunUnderYes() throws Exception {
        var repo = Examples.copy("quickstart", tmp.resolve("quickstart"));
        answers("");

        var apply = cairn("apply", repo.toString(), "--infra", "dev", "--yes", "-o", "json");

        assertThat(apply.exit()).as(apply.err()).isZero();
        assertThat(apply.out() + apply.err()).doesNotContain(PROMPT).doesNotContain("No answer on standard input");
        var run = Json.MAPPER.readTree(apply.out());
        assertThat(confirmations(run).values()).hasSize(6).containsOnly("AUTO");
        var text = cairn("status", repo.toString(), "--infra", "dev");
        assertThat(text.out()).containsPattern("addons +applied .*under --yes");

        var again = cairn("apply", repo.toString(), "--infra", "dev", "--yes", "-o", "json");
        assertThat(again.exit()).isZero();
        assertThat(confirmations(Json.MAPPER.readTree(again.out())).values()).as("nothing applied, nothing to confirm")
                .containsOnlyNulls();
    }

    @Test
    void aRunWithNoChangesAsksNothing() throws Exception {
        var repo = Examples.copy("quickstart", tmp.resolve("quickstart"));
        assertThat(cairn("apply", repo.toString(), "--infra", "dev", "--yes").exit()).isZero();
        answers("");

        var apply = cairn("apply", repo.toString(), "--infra", "dev");

        assertThat(apply.exit()).as(apply.out()).isZero();
        assertThat(prompts(apply.out())).isZero();
        assertThat(apply.out()).contains("No changes. Infrastructure is up to date.");
        assertThat(new ArrayList<>(confirmations(repo).values())).hasSize(6).containsOnlyNulls();
    }
}
