package dev.cairn.reconciler.store.local;

import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.store.ThreadStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Run threads as files {@code threads/INFRA/RUN.json}; every check-and-write runs under one
 * {@link FileGuard} per infrastructure, so that of concurrent claims at most one wins.
 */
public final class LocalThreadStore implements ThreadStore {
    private final Path dir;

    public LocalThreadStore(Path dir) {
        this.dir = dir;
    }

    @Override
    public boolean create(RunThread thread) {
        var file = file(thread.infrastructure(), thread.runId());
        return FileGuard.locked(guard(thread.infrastructure()), () -> {
            if (read(file).isPresent()) return false;
            write(file, thread);
            return true;
        });
    }

    @Override
    public Optional<RunThread> get(String infrastructure, String runId) {
        return read(file(infrastructure, runId));
    }

    @Override
    public boolean claimUpdate(String infrastructure, String runId, long version, Instant now, Duration minInterval) {
        var file = file(infrastructure, runId);
        return FileGuard.locked(guard(infrastructure), () -> {
            var stored = read(file);
            if (stored.isEmpty()) return false;
            var t = stored.get();
            if (t.version() >= version || t.updatedAt().plus(minInterval).isAfter(now)) return false;
            write(file, new RunThread(t.infrastructure(), t.runId(), t.channel(), t.ts(), version, now, t.expiresAt()));
            return true;
        });
    }

    private static void write(Path file, RunThread thread) {
        try {
            AtomicFiles.write(file, Json.MAPPER.writeValueAsBytes(thread));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<RunThread> read(Path file) {
        try {
            return Optional.of(Json.MAPPER.readValue(Files.readAllBytes(file), RunThread.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String infrastructure, String runId) {
        return LocalPaths.child(LocalPaths.child(dir, infrastructure), runId + ".json");
    }

    private Path guard(String infrastructure) {
        return LocalPaths.child(dir, infrastructure).resolveSibling("." + infrastructure + ".guard");
    }
}
