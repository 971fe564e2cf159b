package dev.cairn.functions.schedule;

import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.store.AuditLog;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.store.RevisionStore;
import dev.cairn.reconciler.store.RunStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The schedule scenarios on the embedded local wiring: stores under CAIRN_STATE_DIR, runs recorded in its queue. */
class ScheduleLocalIT extends ScheduleScenarios {
    Path state;

    @Override
    Map<String, String> wiring(Path tmp) {
        state = tmp.resolve("state");
        return Map.of("CAIRN_STATE_DIR", state.toString());
    }

    @Override
    List<Launched> launched() throws IOException {
        var queue = state.resolve("queue");
        if (!Files.isDirectory(queue)) return List.of();
        try (var files = Files.list(queue)) {
            return files.filter(f -> f.toString().endsWith(".json")).map(f -> {
                try {
                    var r = Json.MAPPER.readTree(f.toFile());
                    return new Launched(r.path("name").asText(), r.path("infrastructure").asText(), r.path("action").asText(),
                            r.path("commit").asText(), r.path("trigger").asText());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        }
    }

    @Override
    RevisionStore revisions() {
        return new Workspace(state).revisions();
    }

    @Override
    RunStore runs() {
        return new Workspace(state).runs();
    }

    @Override
    LockStore locks() {
        return new Workspace(state).locks();
    }

    @Override
    AuditLog audit() {
        return new Workspace(state).audit();
    }

    @org.junit.jupiter.api.Test
    void withARepositoryPathOnlyTheInfrastructuresUnderItAreReconciledAndChangesOutsideItAreNoCatchUp() throws Exception {
        // the root keeps dev and prod (another project's); infra/ holds web
        repo.write("infra/cairn.yaml", "apiVersion: cairn.dev/v1\nkind: Repository\nbranch: main\ndefaults:\n  provider: { cloud: none }\n")
                .write("infra/infrastructures/web.yaml", dev.cairn.functions.TestRepo.manifest("web", "10.5.0.0/16"))
                .write("infra/modules/network/main.tf", "variable \"cidr\" {}\n");
        var moved = repo.commitAndPush("main", "web under infra/");
        env.put("CAIRN_REPO_PATH", "infra");
        var scoped = new ScheduleFunction(env);
        var tick = (java.util.function.Function<java.time.Instant, Map<String, Object>>) at -> scoped.handleRequest(Map.of("version", "0",
                "detail-type", "Scheduled Event", "source", "aws.events", "time", at.toString(), "detail", Map.of()), null);

        var first = tick.apply(TICK);
        org.assertj.core.api.Assertions.assertThat(started(first)).containsOnlyKeys("web");
        org.assertj.core.api.Assertions.assertThat(started(first).get("web")).containsEntry("kind", "catch-up");

        seen("web", moved, "github:push d-1");
        var outside = repo.write("infrastructures/dev.yaml", dev.cairn.functions.TestRepo.manifest("dev", "10.7.0.0/16"))
                .write("README.md", "docs\n").commitAndPush("main", "outside infra/");
        var next = tick.apply(TICK.plus(java.time.Duration.ofHours(1)));
        org.assertj.core.api.Assertions.assertThat(next).containsEntry("commit", outside);
        org.assertj.core.api.Assertions.assertThat(started(next)).containsOnlyKeys("web");
        org.assertj.core.api.Assertions.assertThat(started(next).get("web")).as("a change outside infra/ is no catch-up").containsEntry("kind", "drift");
    }
}
