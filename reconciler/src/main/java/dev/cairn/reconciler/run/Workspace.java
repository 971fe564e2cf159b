package dev.cairn.reconciler.run;

import dev.cairn.reconciler.store.local.LocalAuditLog;
import dev.cairn.reconciler.store.local.LocalBlobStore;
import dev.cairn.reconciler.store.local.LocalDeliveryStore;
import dev.cairn.reconciler.store.local.LocalLockStore;
import dev.cairn.reconciler.store.local.LocalOutputStore;
import dev.cairn.reconciler.store.local.LocalRevisionStore;
import dev.cairn.reconciler.store.local.LocalRunStore;

import java.nio.file.Path;

/**
 * Cairn's local state dir (default {@code REPO/.cairn}): stage work dirs, local Terraform state,
 * runs, outputs, logs, locks, webhook deliveries, desired revisions, the audit log and the git
 * module cache.
 */
public record Workspace(Path root) {

    public Workspace {
        root = root.toAbsolutePath().normalize();
    }

    public Path workDir(String infrastructure, String stage) {
        return root.resolve("work").resolve(infrastructure).resolve(stage);
    }

    public Path localState(String infrastructure, String stage) {
        return root.resolve("state").resolve(infrastructure).resolve(stage + ".tfstate");
    }

    public Path gitCache() {
        return root.resolve("cache").resolve("git");
    }

    public String logKey(String infrastructure, String runId, String stage) {
        return "logs/" + infrastructure + "/" + runId + "/" + stage + ".log";
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
}
