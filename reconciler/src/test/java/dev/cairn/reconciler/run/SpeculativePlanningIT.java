package dev.cairn.reconciler.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.reconciler.manifest.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.cairn.reconciler.run.TestRepos.auto;
import static dev.cairn.reconciler.run.TestRepos.reconciler;
import static dev.cairn.reconciler.run.TestRepos.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every stage plans at once from the outputs stored by the last apply; a plan is applied only
 * while what it was made from is still the stage's input. Real terraform, {@code terraform_data}
 * only: the upstream stage {@code a} outputs values the test sets, so which downstream input
 * changes is deterministic.
 *
 * <pre>
 *   a ──x──▶ b      (b consumes a.x)
 *   a ──y──▶ c      (c consumes a.y)
 *   a.z             (consumed by nobody)
 * </pre>
 */
class SpeculativePlanningIT {
    @TempDir
    Path tmp;

    /**
     * Writes the repo: {@code a}'s outputs x, y, z are its variables (known at plan time) or, with
     * {@code xAfterApply}, x is a resource attribute (known only after apply when it changes).
     */
    private static void writeRepo(Path repo, String x, String y, String z, boolean xAfterApply, String bExtra) {
        write(repo.resolve("modules/a/main.tf"), """
                variable "x" {
                  type = string
                }

                variable "y" {
                  type = string
                }

                variable "z" {
                  type = string
                }

                resource "terraform_data" "this" {
                  input = var.x
                }

                output "x" {
                  value = %s
                }

                output "y" {
                  value = var.y
                }

                output "z" {
                  value = var.z
                }
                """.formatted(xAfterApply ? "terraform_data.this.output" : "var.x"));
        write(repo.resolve("modules/echo/main.tf"), """
                variable "upstream" {
                  type = string
                }

                variable "extra" {
                  type    = string
                  default = ""
                }

                resource "terraform_data" "this" {
                  input = "${var.upstream}${var.extra}"
                }

                output "value" {
                  value = terraform_data.this.output
                }
                """);
        write(repo.resolve("infrastructures/dev.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: dev
                spec:
                  modules:
                    - name: a
                      source: ./modules/a
                      inputs:
                        x: %s
                        y: %s
                        z: %s
                    - name: b
                      source: ./modules/echo
                      inputs:
                        upstream: "{{ outputs.a.x }}"
                        extra: "%s"
                    - name: c
                      source: ./modules/echo
                      inputs:
                        upstream: "{{ outputs.a.y }}"
                """.formatted(x, y, z, bExtra));
    }

    private static Map<String, Object> outputs(Path repo, String stage) {
        return new Workspace(repo.resolve(".cairn")).outputs().get("dev", stage).orElseThrow().plain();
    }

    private static String log(Path repo, Run run, String stage) throws Exception {
        return Files.readString(repo.resolve(".cairn").resolve(run.stage(stage).log()));
    }

    /** A confirmation that says yes and remembers what it was asked about. */
    private static final class Asked implements Confirmation {
        final List<List<String>> questions = new ArrayList<>();

        @Override
        public boolean confirm(Run planned, List<String> stages) {
            questions.add(List.copyOf(stages));
            return true;
        }
    }

    private static Reconciler.Options asking(Confirmation confirmation) {
        return new Reconciler.Options("test", 4, confirmation, RunListener.NONE);
    }

    @Test
    void aNoChangeApplyPlansEveryStageSpeculativelyRedoesNoneAndRunsNoInit() throws Exception {
        var repo = tmp.resolve("repo");
        writeRepo(repo, "x1", "y1", "z1", false, "");
        assertThat(reconciler(repo).apply("dev", auto()).status()).isEqualTo(RunStatus.SUCCEEDED);

        var yes = reconciler(repo).apply("dev", auto());

        assertThat(yes.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(yes.stages().values()).allSatisfy(s -> assertThat(s.status()).isEqualTo(StageStatus.NO_CHANGES));
        assertThat(yes.stage("a").planning()).as("a has no upstream: planned and applied in one command").isEqualTo(StagePlanning.DIRECT);
        assertThat(yes.stage("b").planning()).isEqualTo(StagePlanning.SPECULATIVE);
        assertThat(yes.stage("c").planning()).isEqualTo(StagePlanning.SPECULATIVE);
        for (var stage : List.of("a", "b", "c")) {
            assertThat(log(repo, yes, stage)).as(stage).doesNotContain("$ terraform init");
            assertThat(yes.stage(stage).timings().commands()).as(stage).doesNotContainKey("init");
        }

        var asked = new Asked();
        var confirmed = reconciler(repo).apply("dev", asking(asked));

        assertThat(confirmed.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(asked.questions).as("nothing to confirm").isEmpty();
        assertThat(confirmed.stages().values()).allSatisfy(s -> {
            assertThat(s.status()).isEqualTo(StageStatus.NO_CHANGES);
            assertThat(s.planning()).isEqualTo(StagePlanning.SPECULATIVE);
            assertThat(s.timings().commands()).containsKey("plan").doesNotContainKey("init");
        });
    }

    @Test
    void anUpstreamChangeToAConsumedOutputRedoesExactlyTheStagesThatConsumeIt() {
        var repo = tmp.resolve("repo");
        writeRepo(repo, "x1", "y1", "z1", false, "");
        assertThat(reconciler(repo).apply("dev", auto()).status()).isEqualTo(RunStatus.SUCCEEDED);

        writeRepo(repo, "x2", "y1", "z1", false, "");
        var yes = reconciler(repo).apply("dev", auto());

        assertThat(yes.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(yes.stage("a").status()).isEqualTo(StageStatus.APPLIED);
        assertThat(yes.stage("b").planning()).as("b consumes a.x").isEqualTo(StagePlanning.REDONE);
        assertThat(yes.stage("b").status()).isEqualTo(StageStatus.APPLIED);
        assertThat(yes.stage("c").planning()).as("c consumes a.y only").isEqualTo(StagePlanning.SPECULATIVE);
        assertThat(yes.stage("c").status()).isEqualTo(StageStatus.NO_CHANGES);
        assertThat(outputs(repo, "b").get("value")).isEqualTo("x2");

        // the same with a person confirming: a.x is known at plan time, so b is planned again before the question
        writeRepo(repo, "x3", "y1", "z1", false, "");
        var asked = new Asked();
        var confirmed = reconciler(repo).apply("dev", asking(asked));

        assertThat(confirmed.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(asked.questions).containsExactly(List.of("a", "b"));
        assertThat(confirmed.stage("b").planning()).isEqualTo(StagePlanning.REDONE);
        assertThat(confirmed.stage("b").confirmation()).isEqualTo(StageConfirmation.CONFIRMED);
        assertThat(confirmed.stage("c").planning()).isEqualTo(StagePlanning.SPECULATIVE);
        assertThat(confirmed.stage("c").status()).isEqualTo(StageStatus.NO_CHANGES);
        assertThat(outputs(repo, "b").get("value")).isEqualTo("x3");
    }

    @Test
    void anOutputKnownOnlyAfterApplyDefersItsConsumerWhichIsShownAndConfirmedAfterTheUpstreamApply() {
        var repo = tmp.resolve("repo");
        writeRepo(repo, "x1", "y1", "z1", true, "");
        assertThat(reconciler(repo).apply("dev", auto()).status()).isEqualTo(RunStatus.SUCCEEDED);

        writeRepo(repo, "x2", "y1", "z1", true, "");
        var asked = new Asked();
        var run = reconciler(repo).apply("dev", asking(asked));

        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(asked.questions).as("b's speculative plan was discarded: its new plan is asked about after a applied")
                .containsExactly(List.of("a"), List.of("b"));
        assertThat(run.stage("b").planning()).isEqualTo(StagePlanning.REDONE);
        assertThat(run.stage("b").confirmation()).isEqualTo(StageConfirmation.CONFIRMED_LATER);
        assertThat(run.stage("c").planning()).isEqualTo(StagePlanning.SPECULATIVE);
        assertThat(outputs(repo, "b").get("value")).isEqualTo("x2");
    }

    @Test
    void anUpstreamChangeThatAltersNoConsumedOutputRedoesNothing() {
        var repo = tmp.resolve("repo");
        writeRepo(repo, "x1", "y1", "z1", false, "");
        assertThat(reconciler(repo).apply("dev", auto()).status()).isEqualTo(RunStatus.SUCCEEDED);

        writeRepo(repo, "x1", "y1", "z2", false, "");
        var yes = reconciler(repo).apply("dev", auto());

        assertThat(yes.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(outputs(repo, "a").get("z")).isEqualTo("z2");
        assertThat(yes.stage("b").planning()).isEqualTo(StagePlanning.SPECULATIVE);
        assertThat(yes.stage("c").planning()).isEqualTo(StagePlanning.SPECULATIVE);
        assertThat(yes.stage("b").status()).isEqualTo(StageStatus.NO_CHANGES);
        assertThat(yes.stage("c").status()).isEqualTo(StageStatus.NO_CHANGES);

        writeRepo(repo, "x1", "y1", "z3", false, "");
        var asked = new Asked();
        var confirmed = reconciler(repo).apply("dev", asking(asked));
        assertThat(asked.questions).containsExactly(List.of("a"));
        assertThat(confirmed.stage("b").planning()).isEqualTo(StagePlanning.SPECULATIVE);
        assertThat(confirmed.stage("c").planning()).isEqualTo(StagePlanning.SPECULATIVE);
    }

    @Test
    void aStaleSpeculativePlanIsNeverApplied() throws Exception {
        var repo = tmp.resolve("repo");
        writeRepo(repo, "x1", "y1", "z1", false, "");
        assertThat(reconciler(repo).apply("dev", auto()).status()).isEqualTo(RunStatus.SUCCEEDED);

        // b has a change of its own, planned from a.x = x1; a's apply then makes a.x = x2 before b's turn
        writeRepo(repo, "x2", "y1", "z1", false, "-own");
        var run = reconciler(repo).apply("dev", auto());

        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        var b = log(repo, run, "b");
        assertThat(b).as("the speculative plan was made from the stored x1").contains("$ terraform plan");
        assertThat(b).as("and never applied: b planned and applied again from x2").doesNotContain("-auto-approve cairn.tfplan")
                .contains("-auto-approve\n");
        assertThat(run.stage("b").planning()).isEqualTo(StagePlanning.REDONE);
        assertThat(outputs(repo, "b").get("value")).isEqualTo("x2-own");
        assertThat(repo.resolve(".cairn/state/dev/b.tfstate")).content().contains("x2-own").doesNotContain("x1-own");
    }

    @Test
    void aSpeculativePlanWhoseInputsStillHoldIsTheOneApplied() throws Exception {
        var repo = tmp.resolve("repo");
        writeRepo(repo, "x1", "y1", "z1", false, "");
        assertThat(reconciler(repo).apply("dev", auto()).status()).isEqualTo(RunStatus.SUCCEEDED);

        writeRepo(repo, "x1", "y1", "z2", false, "-own");
        var run = reconciler(repo).apply("dev", auto());

        assertThat(run.stage("b").planning()).isEqualTo(StagePlanning.SPECULATIVE);
        assertThat(run.stage("b").status()).isEqualTo(StageStatus.APPLIED);
        assertThat(run.stage("b").confirmation()).as("applied under --yes").isEqualTo(StageConfirmation.AUTO);
        assertThat(log(repo, run, "b")).contains("-auto-approve cairn.tfplan");
        assertThat(run.stage("b").timings().commands()).containsKeys("plan", "apply");
        assertThat(run.stage("b").timings().aheadMillis()).as("the plan ran ahead of a's apply").isPositive();
        assertThat(outputs(repo, "b").get("value")).isEqualTo("x1-own");
    }

    @Test
    void aNoChangePlanStillShowsStateChangedOutOfBandWithoutInit() throws Exception {
        var repo = tmp.resolve("repo");
        writeRepo(repo, "x1", "y1", "z1", false, "");
        assertThat(reconciler(repo).apply("dev", auto()).status()).isEqualTo(RunStatus.SUCCEEDED);

        // someone edits c's state by hand: the resource's recorded input is no longer what the config says
        var state = repo.resolve(".cairn/state/dev/c.tfstate");
        var tree = (ObjectNode) Json.MAPPER.readTree(state.toFile());
        var attributes = (ObjectNode) tree.at("/resources/0/instances/0/attributes");
        // terraform_data keeps a dynamic value: {"value": ..., "type": ...}
        ((ObjectNode) attributes.get("input")).put("value", "edited");
        ((ObjectNode) attributes.get("output")).put("value", "edited");
        tree.put("serial", tree.path("serial").asInt() + 1);
        Json.MAPPER.writeValue(state.toFile(), tree);

        var plan = reconciler(repo).plan("dev", new Reconciler.Options("test", 4, null, null));

        assertThat(plan.stage("c").status()).as(String.valueOf(plan.stage("c").error())).isEqualTo(StageStatus.PLANNED);
        assertThat(plan.stage("c").plan().resources()).extracting(r -> r.address()).containsExactly("terraform_data.this");
        assertThat(plan.stage("a").status()).isEqualTo(StageStatus.NO_CHANGES);
        assertThat(plan.stage("b").status()).isEqualTo(StageStatus.NO_CHANGES);
        for (var stage : List.of("a", "b", "c")) assertThat(log(repo, plan, stage)).doesNotContain("$ terraform init");
    }

    @Test
    void everyStageRecordsItsTerraformTimesAndTheCriticalPathFitsTheWallTime() {
        var repo = tmp.resolve("repo");
        writeRepo(repo, "x1", "y1", "z1", false, "");

        var run = reconciler(repo).apply("dev", auto());

        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.stage("a").timings().commands()).containsKeys("init", "apply");
        assertThat(run.stage("b").timings().after()).containsExactly("a");
        assertThat(run.stage("b").timings().waitMillis()).isNotNegative();
        var path = CriticalPath.of(run);
        // a chain of dependent stages: each one waited for the one before it
        assertThat(path.stages()).isNotEmpty();
        for (int i = 1; i < path.stages().size(); i++) {
            assertThat(run.stage(path.stages().get(i)).timings().after()).contains(path.stages().get(i - 1));
        }
        long slowest = run.stages().values().stream().mapToLong(s -> s.timings().totalMillis()).max().orElseThrow();
        assertThat(path.millis()).as("at least the slowest stage's own work").isGreaterThanOrEqualTo(slowest);
        var wall = java.time.Duration.between(run.startedAt(), run.finishedAt()).toMillis();
        assertThat(path.millis()).isPositive().isLessThanOrEqualTo(wall);
    }
}
