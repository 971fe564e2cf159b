package dev.cairn.reconciler.store.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Mutual exclusion around a check-and-write on local state, across threads and processes: a JVM
 * lock per guard file (an OS file lock is held per process, so threads need their own) and an
 * exclusive {@link FileChannel#lock()} on the guard file itself. Guard files are never deleted,
 * so every party always locks the same inode.
 */
final class FileGuard {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private FileGuard() {
    }

    static <T> T locked(Path guardFile, Supplier<T> action) {
        var path = guardFile.toAbsolutePath().normalize();
        var local = IN_PROCESS.computeIfAbsent(path, p -> new ReentrantLock());
        local.lock();
        try {
            Files.createDirectories(path.getParent());
            try (var channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 var ignored = channel.lock()) {
                return action.get();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            local.unlock();
        }
    }

    static void locked(Path guardFile, Runnable action) {
        locked(guardFile, () -> {
            action.run();
            return null;
        });
    }
}
