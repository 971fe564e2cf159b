package dev.cairn.reconciler.launch;

import dev.cairn.reconciler.manifest.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.regex.Pattern;

/**
 * The local stand-in for Step Functions until {@code cairn serve} has an executor, shared by the
 * webhook and the Slack app: it starts nothing. It records each request once, as
 * {@code QUEUE_DIR/NAME.json} (create-if-absent, so it is idempotent by name like the real
 * launcher), for a person to reconcile with {@code cairn apply}.
 */
public final class QueuedRunLauncher implements RunLauncher {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1," + ExecutionNames.MAX_LENGTH + "}");
    /** The status of a record an executor started ({@code cairn serve}'s queue drain). */
    public static final String STARTED = "started";
    /** The status of a started record whose execution is to be stopped; the cause is its {@code note}. */
    public static final String CANCELLING = "cancelling";
    private final Path queueDir;

    public QueuedRunLauncher(Path queueDir) {
        this.queueDir = queueDir.toAbsolutePath().normalize();
    }

    @Override
    public Launched launch(RunRequest request) {
        var file = file(request.name());
        var record = new LinkedHashMap<String, String>();
        record.put("name", request.name());
        record.put("infrastructure", request.infrastructure());
        record.put("action", request.action().name());
        record.put("commit", request.commit());
        record.put("ref", request.ref());
        record.put("trigger", request.trigger());
        if (!request.stages().isEmpty()) record.put("stages", String.join(",", request.stages()));
        record.put("status", "recorded");
        record.put("note", "recorded, not started; run `cairn " + request.action().name().toLowerCase(java.util.Locale.ROOT)
                + " --infra " + request.infrastructure() + "` to reconcile");
        try {
            Files.createDirectories(queueDir);
            Files.write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(record), StandardOpenOption.CREATE_NEW);
            return new Launched(request.name(), "recorded:" + file.getFileName(), false);
        } catch (FileAlreadyExistsException seen) {
            return new Launched(request.name(), "recorded:" + file.getFileName(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record run " + request.name() + " under " + queueDir, e);
        }
    }

    /**
     * A recorded request is marked {@code cancelled} (with the cause), so nobody reconciles it by
     * mistake; one an executor already started ({@code started}, {@code cairn serve}) is marked
     * {@code cancelling}, and that executor stops its execution (error {@code Cancelled}, the cause).
     */
    @Override
    public synchronized boolean cancel(String name, String cause) {
        var file = file(name);
        try {
            if (!Files.exists(file)) return false;
            var record = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(file.toFile());
            var status = record.path("status").asText();
            if (!"recorded".equals(status) && !STARTED.equals(status)) return false;
            record.put("status", STARTED.equals(status) ? CANCELLING : "cancelled");
            record.put("note", cause == null ? "cancelled" : cause);
            dev.cairn.reconciler.store.local.AtomicFiles.write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot cancel run " + name + " under " + queueDir, e);
        }
    }

    private Path file(String name) {
        if (name == null || !NAME.matcher(name).matches()) throw new IllegalArgumentException("not a run name: " + name);
        return queueDir.resolve(name + ".json");
    }
}
