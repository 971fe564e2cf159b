package dev.cairn.reconciler.module;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Cairn's own Terraform modules ({@code cairn://aws/network}). They travel inside the jar; a
 * checkout can point at its working copy with {@code CAIRN_MODULES} (or {@code -Dcairn.modules})
 * to try local edits without a rebuild.
 */
public final class BuiltinModules {
    private final Supplier<Path> root;

    public BuiltinModules(Path root) {
        this.root = () -> root;
    }

    private BuiltinModules(Supplier<Path> root) {
        this.root = root;
    }

    /**
     * The modules of this build: {@code CAIRN_MODULES}, else the jar's. The jar is opened on the
     * first {@link #resolve} only: reading its whole index takes a large part of the CLI's
     * start-up, and a repo of its own modules never needs it.
     */
    public static BuiltinModules discover() {
        var override = System.getProperty("cairn.modules", System.getenv("CAIRN_MODULES"));
        if (override != null && !override.isBlank()) return new BuiltinModules(Path.of(override));
        return new BuiltinModules(new Supplier<>() {
            private Path opened;
            private boolean done;

            @Override
            public synchronized Path get() {
                if (!done) {
                    opened = openPackaged();
                    done = true;
                }
                return opened;
            }
        });
    }

    private static Path openPackaged() {
        var url = BuiltinModules.class.getResource("/cairn/modules");
        if (url == null) return null;
        try {
            var uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                try {
                    FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException ignored) {
                    // another caller opened it already
                }
            }
            return Path.of(uri);
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot open Cairn's built-in modules: " + e.getMessage(), e);
        }
    }

    /** The module folder, or null when it does not exist. */
    public Path resolve(String path) {
        var base = root.get();
        if (base == null) return null;
        var dir = base.resolve(path);
        return Files.isDirectory(dir) ? dir : null;
    }
}
