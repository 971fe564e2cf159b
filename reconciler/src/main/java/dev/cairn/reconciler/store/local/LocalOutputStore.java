package dev.cairn.reconciler.store.local;

import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.store.OutputStore;
import dev.cairn.reconciler.store.StageOutputs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Stage outputs as owner-only JSON files: {@code outputs/INFRA/STAGE.json}. */
public final class LocalOutputStore implements OutputStore {
    private final Path dir;

    public LocalOutputStore(Path dir) {
        this.dir = dir;
    }

    @Override
    public void put(String infrastructure, StageOutputs outputs) {
        try {
            AtomicFiles.write(file(infrastructure, outputs.stage()), Json.MAPPER.writeValueAsBytes(outputs));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<StageOutputs> get(String infrastructure, String stage) {
        try {
            return Optional.of(Json.MAPPER.readValue(Files.readAllBytes(file(infrastructure, stage)), StageOutputs.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Map<String, StageOutputs> all(String infrastructure) {
        var out = new TreeMap<String, StageOutputs>();
        var infraDir = LocalPaths.child(dir, infrastructure);
        if (!Files.isDirectory(infraDir)) return out;
        try (Stream<Path> files = Files.list(infraDir)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .forEach(n -> get(infrastructure, n.substring(0, n.length() - 5)).ifPresent(o -> out.put(o.stage(), o)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Override
    public void delete(String infrastructure, String stage) {
        try {
            Files.deleteIfExists(file(infrastructure, stage));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String infrastructure, String stage) {
        return LocalPaths.child(LocalPaths.child(dir, infrastructure), stage + ".json");
    }
}
