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
}
