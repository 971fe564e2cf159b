package dev.cairn.reconciler.store.local;

import dev.cairn.reconciler.store.AuditLog;
import dev.cairn.reconciler.store.contract.AuditLogContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class LocalAuditLogContractTest extends AuditLogContract {
    @TempDir
    Path dir;

    @Override
    protected AuditLog newLog() {
        return new LocalAuditLog(dir);
    }
}
