package dev.cairn.functions.pr;

import dev.cairn.reconciler.store.ThreadStore;
import dev.cairn.reconciler.store.local.LocalThreadStore;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class LocalMergeLinksTest extends MergeLinksContract {
    @TempDir
    Path tmp;

    @Override
    protected ThreadStore newStore() {
        return new LocalThreadStore(tmp.resolve("threads"));
    }
}
