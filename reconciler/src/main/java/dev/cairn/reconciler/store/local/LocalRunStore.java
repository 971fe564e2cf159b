package dev.cairn.reconciler.store.local;

import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.store.RunStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs as JSON files: {@code runs/INFRA/RUN_ID.json}. Run ids sort by time. Writes check the
 * stored version under {@link FileGuard} ({@code runs/.INFRA.guard}), so that of two writers of
 * the same version, in any threads or processes, exactly one wins.
 */
public final class LocalRunStore implements RunStore {
    private final Path dir;

    public LocalRunStore(Path dir) {
        this.dir = dir;
    }

    @Override
    public void put(Run run) {
        var guard = LocalPaths.child(dir, run.infrastructure()).resolveSibling("." + run.infrastructure() + ".guard");
        FileGuard.locked(guard, () -> {
            var stored = get(run.infrastructure(), run.id());
            if (stored.isEmpty() && run.version() != 0) {
                throw new ConflictException("run " + run.id() + " is not stored, so version " + run.version()
                        + " cannot follow it (a new run has version 0)");
            }
            if (stored.isPresent() && stored.get().version() + 1 != run.version()) {
                throw new ConflictException("run " + run.id() + " was changed by someone else (stored version "
                        + stored.get().version() + ", writing " + run.version() + ")");
            }
            try {
                AtomicFiles.write(file(run.infrastructure(), run.id()), Json.MAPPER.writeValueAsBytes(run));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public Optional<Run> get(String infrastructure, String runId) {
        try {
            return Optional.of(Json.MAPPER.readValue(Files.readAllBytes(file(infrastructure, runId)), Run.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<Run> list(String infrastructure, int limit) {
        var infraDir = LocalPaths.child(dir, infrastructure);
        if (!Files.isDirectory(infraDir)) return List.of();
        try (Stream<Path> files = Files.list(infraDir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".json"))
                    .sorted(Comparator.reverseOrder())
                    .limit(limit)
                    .map(n -> get(infrastructure, n.substring(0, n.length() - 5)))
                    .flatMap(Optional::stream)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String infrastructure, String runId) {
        return LocalPaths.child(LocalPaths.child(dir, infrastructure), runId + ".json");
    }
}
