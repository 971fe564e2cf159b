package dev.cairn.reconciler.run;

import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.store.local.LocalLockStore;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.cairn.reconciler.run.TestRepos.auto;
import static dev.cairn.reconciler.run.TestRepos.reconciler;
import static dev.cairn.reconciler.run.TestRepos.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reconciles real repos with the real terraform binary (terraform_data only: no providers, no cloud). */
class ReconcilerIT {

    @TempDir
    Path tmp;

    @Test
    void outputsFlowDownstreamThroughThreeLevelsWithTheirTypesKept() throws Exception {
        var repo = TestRepos.copyQuickstart(tmp.resolve("repo"));
        var run = reconciler(repo).apply("dev", auto());

        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.stages().values()).allSatisfy(s -> assertThat(s.status()).isEqualTo(StageStatus.APPLIED));
        assertThat(run.waves()).containsExactly(List.of("backend"), List.of("network", "domain"),
                List.of("kubernetes", "app_db"), List.of("addons"));
        var outputs = new Workspace(repo.resolve(".cairn")).outputs();
        var network = outputs.get("dev", "network").orElseThrow().plain();
        var kubernetes = outputs.get("dev", "kubernetes").orElseThrow().plain();
        var appDb = outputs.get("dev", "app_db").orElseThrow().plain();
        var addons = outputs.get("dev", "addons").orElseThrow().plain();
        // a list reference stays a list: the module's list(string) variable accepted it and counted 3
        assertThat(kubernetes.get("subnet_count")).isEqualTo(3);
        assertThat(kubernetes.get("node_count")).isEqualTo(2);
        // level 3 got level 2's value, level 4 got level 3's
        assertThat((String) appDb.get("endpoint")).contains(((String) network.get("vpc_id")).substring(4, 12));
        assertThat(appDb.get("size")).isEqualTo("micro");
        assertThat(addons.get("applications")).isEqualTo(List.of("podinfo", "guestbook"));
        var tfvars = Json.MAPPER.readTree(repo.resolve(".cairn/work/dev/kubernetes/cairn.auto.tfvars.json").toFile());
        assertThat(tfvars.get("subnet_ids").isArray()).isTrue();
        assertThat(tfvars.get("subnet_ids").get(0).asText()).isEqualTo(((List<?>) network.get("private_subnet_ids")).get(0));

        var again = reconciler(repo).apply("dev", auto());
        assertThat(again.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(again.stages().values()).allSatisfy(s -> assertThat(s.status()).isEqualTo(StageStatus.NO_CHANGES));
    }

    @Test
    void planDefersStagesWhoseInputsAreKnownOnlyAfterUpstreamApplies() {
        var repo = TestRepos.copyQuickstart(tmp.resolve("repo"));
        var run = reconciler(repo).plan("dev", new Reconciler.Options("test", 4, null, null));

        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.stage("backend").status()).isEqualTo(StageStatus.PLANNED);
        assertThat(run.stage("backend").plan().add()).isEqualTo(1);
        assertThat(run.stage("network").status()).isEqualTo(StageStatus.PLANNED);
        assertThat(run.stage("kubernetes").status()).isEqualTo(StageStatus.DEFERRED);
        assertThat(run.stage("addons").status()).isEqualTo(StageStatus.DEFERRED);
        assertThat(new Workspace(repo.resolve(".cairn")).outputs().all("dev")).isEmpty();
    }

    @Test
    void confirmationSeesThePlanAndARefusalAppliesNothing() {
        var repo = TestRepos.copyQuickstart(tmp.resolve("repo"));
        var seen = new Run[1];
        var run = reconciler(repo).apply("dev", new Reconciler.Options("test", 4, (planned, asked) -> {
            seen[0] = planned;
            return false;
        }, null));

        assertThat(run.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(seen[0].stage("backend").plan().resources()).extracting(r -> r.address()).containsExactly("terraform_data.this");
        assertThat(new Workspace(repo.resolve(".cairn")).outputs().all("dev")).isEmpty();
        assertThat(repo.resolve(".cairn/state/dev/backend.tfstate")).doesNotExist();
    }

    @Test
    void aFailingMiddleStageSkipsItsDependentsKeepsUpstreamAndTheNextRunResumes() {
        var repo = tmp.resolve("repo");
        writeChain(repo, false);

        var failed = reconciler(repo).apply("dev", auto());

        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.stage("a").status()).isEqualTo(StageStatus.APPLIED);
        assertThat(failed.stage("b").status()).isEqualTo(StageStatus.FAILED);
        assertThat(failed.stage("b").error()).contains("stage b is broken on purpose");
        assertThat(failed.stage("c").status()).isEqualTo(StageStatus.SKIPPED);
        assertThat(failed.stage("c").error()).contains("`b` failed");
        var outputs = new Workspace(repo.resolve(".cairn")).outputs();
        assertThat(outputs.get("dev", "a")).isPresent();
        assertThat(outputs.get("dev", "c")).isEmpty();
        assertThat(repo.resolve(".cairn/" + failed.stage("b").log())).content().contains("stage b is broken on purpose");

        writeChain(repo, true);
        var resumed = reconciler(repo).apply("dev", auto());

        assertThat(resumed.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(resumed.stage("a").status()).isEqualTo(StageStatus.NO_CHANGES);
        assertThat(resumed.stage("b").status()).isEqualTo(StageStatus.APPLIED);
        assertThat(resumed.stage("c").status()).isEqualTo(StageStatus.APPLIED);
        assertThat(outputs.get("dev", "c").orElseThrow().plain().get("echo")).isEqualTo(Map.of("upstream", "b-from-a"));
    }

    @Test
    void independentStagesRunInParallel() {
        var repo = tmp.resolve("repo");
        writeFanOut(repo, 3, 2);

        var run = reconciler(repo).apply("dev", auto());

        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.waves()).hasSize(2);
        assertThat(run.waves().get(1)).containsExactlyInAnyOrder("p1", "p2", "p3");
        var parallel = Stream.of("p1", "p2", "p3").map(run::stage).toList();
        var lastStart = parallel.stream().map(StageResult::startedAt).max(Instant::compareTo).orElseThrow();
        var firstEnd = parallel.stream().map(StageResult::finishedAt).min(Instant::compareTo).orElseThrow();
        // the proof of parallelism: every one started before any ended (a wall-clock bound would be a timed test)
        assertThat(lastStart).as("all three sleeping stages overlap in time").isBefore(firstEnd);
    }

    @Test
    void destroyWalksTheDagBackwards() {
        var repo = TestRepos.copyQuickstart(tmp.resolve("repo"));
        assertThat(reconciler(repo).apply("dev", auto()).status()).isEqualTo(RunStatus.SUCCEEDED);

        var reconciler = reconciler(repo);
        var destroy = reconciler.destroy("dev", auto());

        assertThat(destroy.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(destroy.stages().values()).allSatisfy(s -> assertThat(s.status()).isEqualTo(StageStatus.DESTROYED));
        var graph = reconciler.stages("dev").graph();
        for (var stage : graph.stages()) {
            for (var dependency : graph.dependenciesOf(stage)) {
                assertThat(destroy.stage(dependency).startedAt())
                        .as("%s is destroyed only after %s, which depends on it", dependency, stage)
                        .isAfterOrEqualTo(destroy.stage(stage).finishedAt());
            }
        }
        assertThat(new Workspace(repo.resolve(".cairn")).outputs().all("dev")).isEmpty();
        var again = reconciler(repo).destroy("dev", auto());
        assertThat(again.stages().values()).allSatisfy(s -> assertThat(s.status()).isEqualTo(StageStatus.NO_CHANGES));
    }

    @Test
    void aSecondRunOfTheSameInfrastructureIsRefusedWhileTheFirstHoldsTheLock() throws Exception {
        var repo = tmp.resolve("repo");
        writeFanOut(repo, 1, 3);
        var lockFile = repo.resolve(".cairn/locks/dev.lock");

        var first = CompletableFuture.supplyAsync(() -> reconciler(repo).apply("dev", auto()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(lockFile) && System.nanoTime() < deadline) Thread.sleep(20);

        assertThatThrownBy(() -> reconciler(repo).apply("dev", auto()))
                .isInstanceOf(LockStore.LockedException.class)
                .hasMessageContaining("is locked by run");
        assertThat(first.get(60, TimeUnit.SECONDS).status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(lockFile).doesNotExist();
    }

    @Test
    void aLockLeftByADeadProcessOnThisHostIsTakenOver() throws Exception {
        var repo = tmp.resolve("repo");
        writeFanOut(repo, 1, 0);
        var gone = new ProcessBuilder("true").start();
        gone.waitFor();
        new LocalLockStore(repo.resolve(".cairn/locks")).acquire("dev",
                new LockStore.LockOwner("crashed-run", LocalLockStore.hostName(), gone.pid(), Instant.now()));

        assertThat(reconciler(repo).apply("dev", auto()).status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void sensitiveOutputsNeverReachLogsRunRecordsOrErrors() throws Exception {
        var repo = TestRepos.copyQuickstart(tmp.resolve("repo"));
        reconciler(repo).apply("dev", auto());
        var secret = (String) new Workspace(repo.resolve(".cairn")).outputs().get("dev", "addons").orElseThrow()
                .values().get("keycloak_admin_password").value();
        assertThat(secret).startsWith("kc-");
        assertThat(new Workspace(repo.resolve(".cairn")).outputs().get("dev", "addons").orElseThrow()
                .values().get("keycloak_admin_password").sensitive()).isTrue();

        reconciler(repo).apply("dev", auto());
        try (var files = Files.walk(repo.resolve(".cairn"))) {
            for (var file : files.filter(Files::isRegularFile).toList()) {
                var name = file.toString();
                if (name.contains("/outputs/") || name.endsWith(".tfstate") || name.contains("/.terraform/")
                        || name.endsWith(".tfplan")) continue;
                assertThat(Files.readString(file)).as(name).doesNotContain(secret);
            }
        }
    }

    @Test
    void aGitModuleIsFetchedAtTheRequestedRef() throws Exception {
        var remote = tmp.resolve("modules-remote");
        try (var git = Git.init().setDirectory(remote.toFile()).setInitialBranch("main").call()) {
            write(remote.resolve("net/main.tf"), "resource \"terraform_data\" \"this\" {\n  input = \"v1\"\n}\n\noutput \"version\" {\n  value = terraform_data.this.output\n}\n");
            git.add().addFilepattern(".").call();
            git.commit().setMessage("v1").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
            git.tag().setName("v1.0.0").call();
            write(remote.resolve("net/main.tf"), "resource \"terraform_data\" \"this\" {\n  input = \"v2\"\n}\n\noutput \"version\" {\n  value = terraform_data.this.output\n}\n");
            git.commit().setAll(true).setMessage("v2").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
        }
        var repo = tmp.resolve("repo");
        write(repo.resolve("infrastructures/dev.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: dev
                spec:
                  modules:
                    - name: pinned
                      source: git::%s//net?ref=v1.0.0
                    - name: tracking
                      source: git::%s//net?ref=main
                """.formatted(remote.toUri(), remote.toUri()));

        var run = reconciler(repo).apply("dev", auto());

        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        var outputs = new Workspace(repo.resolve(".cairn")).outputs();
        assertThat(outputs.get("dev", "pinned").orElseThrow().plain().get("version")).isEqualTo("v1");
        assertThat(outputs.get("dev", "tracking").orElseThrow().plain().get("version")).isEqualTo("v2");
    }

    /** a → b → c, where b's precondition fails unless {@code ok}. */
    private static void writeChain(Path repo, boolean ok) {
        write(repo.resolve("modules/a/main.tf"), """
                resource "terraform_data" "this" {
                  input = "from-a"
                }

                output "value" {
                  value = terraform_data.this.output
                }
                """);
        write(repo.resolve("modules/b/main.tf"), """
                variable "ok" {
                  type = bool
                }

                variable "upstream" {
                  type = string
                }

                resource "terraform_data" "this" {
                  input = "b-${var.upstream}"
                  lifecycle {
                    precondition {
                      condition     = var.ok
                      error_message = "stage b is broken on purpose"
                    }
                  }
                }

                output "value" {
                  value = terraform_data.this.output
                }
                """);
        write(repo.resolve("modules/c/main.tf"), TestRepos.passthroughModule("upstream", "string"));
        write(repo.resolve("infrastructures/dev.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: dev
                spec:
                  variables:
                    b_ok: %s
                  modules:
                    - name: a
                      source: ./modules/a
                    - name: b
                      source: ./modules/b
                      inputs:
                        ok: "{{ vars.b_ok }}"
                        upstream: "{{ outputs.a.value }}"
                    - name: c
                      source: ./modules/c
                      inputs:
                        upstream: "{{ outputs.b.value }}"
                """.formatted(ok));
    }

    /** root → p1..pN, each p sleeping {@code seconds} in a local-exec provisioner. */
    static void writeFanOut(Path repo, int width, int seconds) {
        write(repo.resolve("modules/root/main.tf"), """
                resource "terraform_data" "this" {
                  input = "root"
                }

                output "id" {
                  value = terraform_data.this.output
                }
                """);
        write(repo.resolve("modules/sleeper/main.tf"), """
                variable "root" {
                  type = string
                }

                variable "seconds" {
                  type = number
                }

                resource "terraform_data" "this" {
                  input = var.root
                  provisioner "local-exec" {
                    command = "sleep ${var.seconds}"
                  }
                }
                """);
        var modules = new StringBuilder("    - name: root\n      source: ./modules/root\n");
        for (int i = 1; i <= width; i++) {
            modules.append("    - name: p").append(i).append("\n      source: ./modules/sleeper\n      inputs:\n")
                    .append("        root: \"{{ outputs.root.id }}\"\n        seconds: ").append(seconds).append('\n');
        }
        write(repo.resolve("infrastructures/dev.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: dev
                spec:
                  modules:
                """ + modules);
    }
}
