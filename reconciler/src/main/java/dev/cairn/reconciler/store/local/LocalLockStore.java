package dev.cairn.reconciler.store.local;

import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.store.LockStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * A lock file per infrastructure ({@code locks/INFRA.lock}). Every change (acquire, take over,
 * renew, release) is a check-and-replace under {@link FileGuard} on {@code locks/.INFRA.guard},
 * and the lock file is written atomically (temp file + atomic move), so that among any number of
 * threads and processes exactly one wins, and a reader sees a whole lock or none, never half.
 * A lock whose lease ran out, or (no lease) left by a process of this host that no longer exists,
 * is taken over.
 */
public final class LocalLockStore implements LockStore {
    private final Path dir;

    public LocalLockStore(Path dir) {
        this.dir = dir;
    }

    @Override
    public void acquire(String infrastructure, LockOwner owner) {
        FileGuard.locked(guard(infrastructure), () -> {
            var current = owner(infrastructure);
            if (current.isPresent() && !isStale(current.get())) throw new LockedException(infrastructure, current.get());
            write(infrastructure, owner);
        });
    }

    @Override
    public boolean renew(String infrastructure, String runId, Instant leaseUntil) {
        return FileGuard.locked(guard(infrastructure), () -> {
            var current = owner(infrastructure);
            if (current.isEmpty() || !current.get().runId().equals(runId)) return false;
            var o = current.get();
            write(infrastructure, new LockOwner(o.runId(), o.holder(), o.pid(), o.since(), leaseUntil, o.executionArn()));
            return true;
        });
    }

    @Override
    public void release(String infrastructure, String runId) {
        FileGuard.locked(guard(infrastructure), () -> {
            var current = owner(infrastructure);
            if (current.isPresent() && current.get().runId().equals(runId)) delete(infrastructure);
        });
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
        FileGuard.locked(guard(infrastructure), () -> delete(infrastructure));
    }

    private void write(String infrastructure, LockOwner owner) {
        try {
            AtomicFiles.write(file(infrastructure), Json.MAPPER.writeValueAsBytes(owner));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void delete(String infrastructure) {
        try {
            Files.deleteIfExists(file(infrastructure));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String infrastructure) {
        return LocalPaths.child(dir, infrastructure + ".lock");
    }

    private Path guard(String infrastructure) {
        return LocalPaths.child(dir, infrastructure + ".lock").resolveSibling("." + infrastructure + ".guard");
    }

    /**
     * Whether {@code owner}'s run is known to be gone, so that its lock may be taken over (and
     * {@code cairn unlock} removes it without {@code --force}): its lease ran out, or, with no lease,
     * it was held by a process of this host that no longer exists. A holder on another host without a
     * lease is never stale: its process cannot be seen from here.
     */
    public static boolean isStale(LockOwner owner) {
        if (owner.leaseUntil() != null) return owner.leaseExpired(Instant.now());
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
