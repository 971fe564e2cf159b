package dev.cairn.functions.reconcile;

import dev.cairn.aws.store.AwsStores;
import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.run.Workspace;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Builds {@link ReconcileTasks} from an environment map: the DynamoDB/S3 stores of
 * {@code CAIRN_TABLE}/{@code CAIRN_BUCKET} ({@link AwsStores}) when the table is named, else the
 * local stores of {@code CAIRN_STATE_DIR} (default {@code ./.cairn}). {@code CAIRN_APPROVAL_TIMEOUT_SECONDS}
 * (default 86400) bounds an approval's wait.
 */
final class ReconcileWiring {
    static final String APPROVAL_TIMEOUT = "CAIRN_APPROVAL_TIMEOUT_SECONDS";

    private ReconcileWiring() {
    }

    static ReconcileTasks tasks(Map<String, String> env) {
        var timeout = Duration.ofSeconds(Long.parseLong(env.getOrDefault(APPROVAL_TIMEOUT, "86400").strip()));
        StagePlanner planner = (infra, commit, action) -> {
            throw new IllegalStateException("prepare: the repo snapshot and stage planner are not wired in this function yet");
        };
        var table = env.get(AwsStores.TABLE);
        if (table != null && !table.isBlank()) {
            var stores = AwsStores.fromEnv(env);
            return new ReconcileTasks(stores.runs(), stores.locks(), stores.blobs(), planner, null, RunNotifier.NONE, timeout, Clock.systemUTC());
        }
        var workspace = new Workspace(Path.of(env.getOrDefault("CAIRN_STATE_DIR", ".cairn")));
        return new ReconcileTasks(workspace.runs(), workspace.locks(), workspace.blobs(), planner, null, RunNotifier.NONE, timeout,
                Clock.systemUTC());
    }
}
