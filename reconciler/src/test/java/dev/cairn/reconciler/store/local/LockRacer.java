package dev.cairn.reconciler.store.local;

import dev.cairn.reconciler.store.LockStore.LockOwner;
import dev.cairn.reconciler.store.LockStore.LockedException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A separate JVM racing for local locks: {@code LockRacer DIR NAME COUNT}. Says it is ready
 * ({@code DIR/ready-NAME}), waits for {@code DIR/go}, tries to acquire {@code lock-0 ..
 * lock-COUNT-1} and prints the ones it won, one a line.
 */
public final class LockRacer {
    public static void main(String[] args) throws Exception {
        var dir = Path.of(args[0]);
        var name = args[1];
        int count = Integer.parseInt(args[2]);
        var store = new LocalLockStore(dir.resolve("locks"));
        Files.createFile(dir.resolve("ready-" + name));
        while (Files.notExists(dir.resolve("go"))) Thread.onSpinWait();
        var out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            try {
                store.acquire("lock-" + i, new LockOwner(name + "-" + i, "racer", ProcessHandle.current().pid(), Instant.now(),
                        Instant.now().plusSeconds(3600), null));
                out.append("lock-").append(i).append('\n');
            } catch (LockedException lost) {
                // another process won this one
            }
        }
        System.out.print(out);
        System.out.flush();
    }
}
