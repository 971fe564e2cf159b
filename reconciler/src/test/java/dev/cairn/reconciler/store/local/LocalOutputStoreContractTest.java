package dev.cairn.reconciler.store.local;

import dev.cairn.reconciler.store.OutputStore;
import dev.cairn.reconciler.store.contract.OutputStoreContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class LocalOutputStoreContractTest extends OutputStoreContract {
    @TempDir
    Path dir;

    @Override
    protected OutputStore newStore() {
        return new LocalOutputStore(dir);
    }

    /** Locally the outputs file is readable by its owner only (the state dir is the user's own). */
    @Override
    protected void assertProtectedAtRest(String infrastructure, String stage, String secret) throws Exception {
        var file = dir.resolve(infrastructure).resolve(stage + ".json");
        assertThat(Files.readString(file)).contains(secret);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
}
