package dev.cairn.reconciler.store.local;

import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.store.RevisionStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** The desired revision of each infrastructure as an atomically written file {@code revisions/INFRA.json}. */
public final class LocalRevisionStore implements RevisionStore {
    private final Path dir;

    public LocalRevisionStore(Path dir) {
        this.dir = dir;
    }

    @Override
    public void putDesired(DesiredRevision revision) {
        try {
            AtomicFiles.write(file(revision.infrastructure()), Json.MAPPER.writeValueAsBytes(revision));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<DesiredRevision> desired(String infrastructure) {
        try {
            return Optional.of(Json.MAPPER.readValue(Files.readAllBytes(file(infrastructure)), DesiredRevision.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String infrastructure) {
        return LocalPaths.child(dir, infrastructure + ".json");
    }
}
