package dev.cairn.reconciler.approval.local;

import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.store.local.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Approvals as files {@code DIR/INFRA/RUN/STAGE.json} (the state dir's {@code approvals/}),
 * written atomically and owner-only. Requesting and deciding are check-and-write under one guard
 * per infrastructure (an in-process lock plus an OS file lock), so of two concurrent decisions
 * exactly one wins, also across processes.
 */
public final class LocalApprovalStore implements ApprovalStore {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();
    private final Path dir;

    public LocalApprovalStore(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    @Override
    public void request(Approval approval) {
        if (approval.state() != State.PENDING) throw new IllegalArgumentException("a new approval is PENDING, not " + approval.state());
        var file = file(approval.infrastructure(), approval.runId(), approval.stage());
        locked(approval.infrastructure(), () -> {
            if (read(file).isEmpty()) write(file, approval);
            return null;
        });
    }

    @Override
    public Optional<Approval> get(String infrastructure, String runId, String stage) {
        return read(file(infrastructure, runId, stage));
    }

    @Override
    public List<Approval> pending(String infrastructure) {
        var root = child(dir, infrastructure);
        var found = new ArrayList<Approval>();
        if (!Files.isDirectory(root)) return found;
        try (var files = Files.walk(root, 2)) {
            for (var file : files.filter(f -> f.getFileName().toString().endsWith(".json") && !f.getFileName().toString().startsWith(".")).toList()) {
                read(file).filter(a -> a.state() == State.PENDING).ifPresent(found::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        found.sort(Comparator.comparing(Approval::requestedAt).thenComparing(Approval::id));
        return found;
    }

    @Override
    public Optional<Approval> decide(String infrastructure, String runId, String stage, State decision, String decidedBy,
                                     String reason, Instant now) {
        if (decision != State.APPROVED && decision != State.REJECTED) {
            throw new IllegalArgumentException("a decision is APPROVED or REJECTED, not " + decision);
        }
        var file = file(infrastructure, runId, stage);
        return locked(infrastructure, () -> {
            var stored = read(file);
            if (stored.isEmpty() || stored.get().state() != State.PENDING) return Optional.<Approval>empty();
            var a = stored.get();
            if (a.expiresAt() != null && !a.expiresAt().isAfter(now)) return Optional.<Approval>empty();
            var decided = new Approval(a.infrastructure(), a.runId(), a.stage(), decision, a.plan(), a.planSha256(),
                    a.requestedBy(), a.taskToken(), a.requestedAt(), a.expiresAt(), decidedBy, now, reason);
            write(file, decided);
            return Optional.of(decided);
        });
    }

    private Path file(String infrastructure, String runId, String stage) {
        return child(child(child(dir, infrastructure), runId), stage + ".json");
    }

    private static Path child(Path parent, String name) {
        var bare = name != null && name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        if (bare == null || !NAME.matcher(bare).matches()) {
            throw new IllegalArgumentException("not a valid name for an approval: `" + name + "`");
        }
        return parent.resolve(name);
    }

    private static Optional<Approval> read(Path file) {
        try {
            return Optional.of(Json.MAPPER.readValue(Files.readAllBytes(file), Approval.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read approval " + file, e);
        }
    }

    private static void write(Path file, Approval approval) {
        try {
            AtomicFiles.write(file, Json.MAPPER.writeValueAsBytes(approval));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private <T> T locked(String infrastructure, Supplier<T> action) {
        var guard = dir.resolve("." + child(dir, infrastructure).getFileName() + ".guard");
        var lock = IN_PROCESS.computeIfAbsent(guard, g -> new ReentrantLock());
        lock.lock();
        try {
            Files.createDirectories(dir);
            try (var channel = FileChannel.open(guard, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 var ignored = channel.lock()) {
                return action.get();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            lock.unlock();
        }
    }
}
