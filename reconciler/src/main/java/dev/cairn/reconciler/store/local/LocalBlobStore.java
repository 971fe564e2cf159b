package dev.cairn.reconciler.store.local;

import dev.cairn.reconciler.store.BlobStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Blobs as files under one folder; the key is the relative path. */
public final class LocalBlobStore implements BlobStore {
    private final Path dir;

    public LocalBlobStore(Path dir) {
        this.dir = dir;
    }

    @Override
    public void put(String key, byte[] content) {
        AtomicFiles.write(resolve(key), content);
    }

    @Override
    public Optional<byte[]> get(String key) {
        try {
            return Optional.of(Files.readAllBytes(resolve(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void delete(String key) {
        try {
            Files.deleteIfExists(resolve(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path resolve(String key) {
        var path = dir.resolve(key).normalize();
        if (!path.startsWith(dir)) throw new IllegalArgumentException("blob key escapes the store: " + key);
        return path;
    }
}
