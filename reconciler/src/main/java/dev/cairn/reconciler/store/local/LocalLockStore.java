package dev.cairn.reconciler.store.local;

import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.store.LockStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A lock file per infrastructure, created with {@code CREATE_NEW} (atomic create-if-absent).
 * A lock left by a process of this host that no longer exists is taken over.
 */
public final class LocalLockStore implements LockStore {
    private final Path dir;

    public LocalLockStore(Path dir) {
        this.dir = dir;
    }

    @Override
    public void acquire(String infrastructure, LockOwner owner) {
        var file = file(infrastructure);
        try {
            Files.createDirectories(dir);
            for (int attempt = 0; attempt < 2; attempt++) {
                try {
                    Files.write(file, Json.MAPPER.writeValueAsBytes(owner), java.nio.file.StandardOpenOption.CREATE_NEW,
                            java.nio.file.StandardOpenOption.WRITE);
                    return;
                } catch (FileAlreadyExistsException e) {
                    var current = owner(infrastructure);
                    if (current.isPresent() && isStale(current.get())) {
                        Files.deleteIfExists(file);
                        continue;
                    }
                    if (current.isEmpty()) continue;
                    throw new LockedException(infrastructure, current.get());
                }
            }
            throw new LockedException(infrastructure, owner(infrastructure).orElse(owner));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void release(String infrastructure, String runId) {
        var current = owner(infrastructure);
        if (current.isPresent() && current.get().runId().equals(runId)) forceRelease(infrastructure);
    }

    @Override
    public Optional<LockOwner> owner(String infrastructure) {
        try {
            return Optional.of(Json.MAPPER.readValue(Files.readAllBytes(file(infrastructure)), LockOwner.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void forceRelease(String infrastructure) {
        try {
            Files.deleteIfExists(file(infrastructure));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String infrastructure) {
        return dir.resolve(infrastructure + ".lock");
    }

    private static boolean isStale(LockOwner owner) {
        return owner.holder().equals(hostName()) && owner.pid() > 0 && ProcessHandle.of(owner.pid()).isEmpty();
    }

    public static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
