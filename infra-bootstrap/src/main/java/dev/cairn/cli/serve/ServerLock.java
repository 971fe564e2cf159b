package dev.cairn.cli.serve;

import dev.cairn.reconciler.run.RunRefusedException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One {@code cairn serve} per state dir: an OS lock on {@code STATE_DIR/serve/server.lock}, held
 * while the server runs and released by the OS when its process ends, however it ends. It is what
 * lets a starting server end the runs a killed one left (their executions cannot be running
 * anywhere else).
 */
final class ServerLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private ServerLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static ServerLock take(Path stateDir) throws IOException {
        var file = stateDir.resolve("serve").resolve("server.lock");
        Files.createDirectories(file.getParent());
        var channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException inThisJvm) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new RunRefusedException("another cairn serve uses the state dir " + stateDir + ": stop it, or pass another --state-dir");
        }
        return new ServerLock(channel, lock);
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the OS releases it with the process
        }
    }
}
