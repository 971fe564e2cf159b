package dev.cairn.chatops;

import dev.cairn.reconciler.launch.RunLauncher;
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
 * The local launcher until {@code cairn serve} has an executor: records each request once as
 * {@code QUEUE/NAME.json} (create-if-absent, so idempotent by name like Step Functions) and starts
 * nothing. Same file shape as the webhook's recording launcher.
 */
public final class QueueLauncher implements RunLauncher {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,80}");
    private final Path dir;

    public QueueLauncher(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    @Override
    public Launched launch(RunRequest request) {
        if (!NAME.matcher(request.name()).matches()) throw new IllegalArgumentException("not a run name: " + request.name());
        var file = dir.resolve(request.name() + ".json");
        var record = new LinkedHashMap<String, String>();
        record.put("name", request.name());
        record.put("infrastructure", request.infrastructure());
        record.put("action", request.action().name());
        record.put("commit", request.commit());
        record.put("ref", request.ref());
        record.put("trigger", request.trigger());
        record.put("status", "recorded");
        try {
            Files.createDirectories(dir);
            Files.write(file, Json.MAPPER.writeValueAsBytes(record), StandardOpenOption.CREATE_NEW);
            return new Launched(request.name(), "recorded:" + file.getFileName(), false);
        } catch (FileAlreadyExistsException seen) {
            return new Launched(request.name(), "recorded:" + file.getFileName(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record run " + request.name(), e);
        }
    }
}
