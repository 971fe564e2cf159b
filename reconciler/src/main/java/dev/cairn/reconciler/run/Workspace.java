package dev.cairn.reconciler.run;

import dev.cairn.reconciler.store.local.LocalAuditLog;
import dev.cairn.reconciler.store.local.LocalBlobStore;
import dev.cairn.reconciler.store.local.LocalDeliveryStore;
import dev.cairn.reconciler.store.local.LocalLockStore;
import dev.cairn.reconciler.store.local.LocalOutputStore;
import dev.cairn.reconciler.store.local.LocalRevisionStore;
import dev.cairn.reconciler.store.local.LocalRunStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Cairn's local state dir (default {@code REPO/.cairn}): stage work dirs, local Terraform state,
 * runs, outputs, logs, locks, webhook deliveries, desired revisions, the audit log and the git
 * module cache. It holds secrets (state, plans), so it is owner-only, and every folder Cairn
 * writes or clears in it is checked to be a real folder: a symlink planted in it must not
 * redirect a write or a delete elsewhere.
 */
public record Workspace(Path root) {

    public Workspace {
        root = root.toAbsolutePath().normalize();
    }

    public Path workDir(String infrastructure, String stage) {
        return noLinks(root.resolve("work").resolve(infrastructure).resolve(stage));
    }

    public Path localState(String infrastructure, String stage) {
        noLinks(root.resolve("state").resolve(infrastructure));
        return noLinks(root.resolve("state").resolve(infrastructure).resolve(stage + ".tfstate"));
    }

    public Path gitCache() {
        return noLinks(root.resolve("cache").resolve("git"));
    }

    public String logKey(String infrastructure, String runId, String stage) {
        return "logs/" + infrastructure + "/" + runId + "/" + stage + ".log";
    }

    /** The file of a {@link #logKey}, checked like every path Cairn writes. */
    public Path logFile(String key) {
        return noLinks(root.resolve(key).normalize());
    }

    /** Who holds a lock taken from this state dir: this host's name. */
    public String lockHolder() {
        return LocalLockStore.hostName();
    }

    public LocalRunStore runs() {
        return new LocalRunStore(root.resolve("runs"));
    }

    public LocalOutputStore outputs() {
        return new LocalOutputStore(root.resolve("outputs"));
    }

    public LocalLockStore locks() {
        return new LocalLockStore(root.resolve("locks"));
    }

    public LocalDeliveryStore deliveries() {
        return new LocalDeliveryStore(root.resolve("deliveries"));
    }

    public LocalRevisionStore revisions() {
        return new LocalRevisionStore(root.resolve("revisions"));
    }

    public LocalAuditLog audit() {
        return new LocalAuditLog(root.resolve("audit"));
    }

    public LocalBlobStore blobs() {
        return new LocalBlobStore(root);
    }

    /** Creates the state dir owner-only (0700), or makes an existing one so. */
    public Workspace secure() {
        try {
            Files.createDirectories(root);
            try {
                Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException notPosix) {
                // nothing to tighten on this file system
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the state dir " + root, e);
        }
    }

    /** {@code path}, when nothing between the state dir and it (itself included) is a symlink. */
    Path noLinks(Path path) {
        if (!path.startsWith(root)) throw new RunRefusedException(path + " is outside the state dir " + root);
        var p = root;
        for (var part : root.relativize(path)) {
            p = p.resolve(part);
            if (Files.isSymbolicLink(p)) {
                throw new RunRefusedException("refusing to use " + p + ": it is a symlink inside the state dir " + root
                        + " (Cairn never follows links there; remove it)");
            }
        }
        return path;
    }
}
