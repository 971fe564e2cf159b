package dev.cairn.cli.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.reconciler.launch.QueuedRunLauncher;
import dev.cairn.reconciler.launch.RunLauncher;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.store.local.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Starts the runs the webhook function recorded. The function's local branch hands runs to
 * {@code QueuedRunLauncher} ({@code STATE_DIR/queue/NAME.json}, status {@code recorded}); under
 * {@code cairn serve} each such record becomes an execution ({@link ExecutorRunLauncher},
 * idempotent by name) and is marked {@code started} with its execution id. Run right after each
 * webhook request and every few seconds (a record written by another process, e.g.
 * {@code cairn invoke}, is picked up too). A started record the webhook marked
 * {@code cancelling} (a newer PR head supersedes its preview) has its execution stopped, as
 * {@code StopExecution} would on AWS (error {@code Cancelled}, the recorded cause), and is marked
 * {@code cancelled}.
 */
final class QueueDrain {
    private static final Logger LOG = LoggerFactory.getLogger(QueueDrain.class);
    private final Path queue;
    private final RunLauncher launcher;

    QueueDrain(Path queue, RunLauncher launcher) {
        this.queue = queue;
        this.launcher = launcher;
    }

    synchronized int drain() {
        if (!Files.isDirectory(queue)) return 0;
        List<Path> files;
        try (var list = Files.list(queue)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", queue, e.getMessage());
            return 0;
        }
        int started = 0;
        for (var file : files) {
            try {
                var record = (ObjectNode) Json.MAPPER.readTree(file.toFile());
                if (QueuedRunLauncher.CANCELLING.equals(record.path("status").asText())) {
                    stop(file, record);
                    continue;
                }
                if (!"recorded".equals(record.path("status").asText())) continue;
                var stages = record.path("stages").asText("");
                var request = new RunLauncher.RunRequest(record.path("name").asText(), record.path("infrastructure").asText(),
                        RunAction.valueOf(record.path("action").asText().toUpperCase(Locale.ROOT)), record.path("commit").asText(),
                        record.path("ref").asText(), record.path("trigger").asText(),
                        stages.isBlank() ? List.of() : Arrays.asList(stages.split(",")));
                var launched = launcher.launch(request);
                record.put("status", QueuedRunLauncher.STARTED);
                record.put("executionId", launched.executionId());
                record.put("note", "started by cairn serve");
                AtomicFiles.write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
                if (!launched.alreadyStarted()) started++;
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot start the run recorded at {}: {}", file.getFileName(), e.getMessage());
            }
        }
        return started;
    }

    /** A started run the webhook cancelled (a newer PR head supersedes it): its execution is stopped with the recorded cause. */
    private void stop(Path file, ObjectNode record) throws IOException {
        var name = record.path("name").asText();
        boolean stopped = launcher.cancel(name, record.path("note").asText("cancelled"));
        record.put("status", "cancelled");
        LOG.info("{} the execution {}", stopped ? "stopped" : "found already ended", name);
        AtomicFiles.write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
    }
}
