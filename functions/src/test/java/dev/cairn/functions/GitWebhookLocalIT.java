package dev.cairn.functions;

import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.store.AuditLog;
import dev.cairn.reconciler.store.RevisionStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The push scenarios on the embedded local wiring: stores under CAIRN_STATE_DIR, runs recorded in its queue. */
class GitWebhookLocalIT extends WebhookScenarios {
    Path state;

    @Override
    Map<String, String> wiring(Path tmp) {
        state = tmp.resolve("state");
        return Map.of("CAIRN_STATE_DIR", state.toString());
    }

    @Override
    long runsStarted() throws Exception {
        var queue = state.resolve("queue");
        if (!Files.isDirectory(queue)) return 0;
        try (var files = Files.list(queue)) {
            return files.filter(f -> f.toString().endsWith(".json")).count();
        }
    }

    @Override
    RevisionStore revisions() {
        return new Workspace(state).revisions();
    }

    @Override
    AuditLog audit() {
        return new Workspace(state).audit();
    }
}
