package dev.cairn.reconciler.module;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Cairn's own Terraform modules ({@code cairn://aws/network}). They travel inside the jar; a
 * checkout can point at its working copy with {@code CAIRN_MODULES} (or {@code -Dcairn.modules})
 * to try local edits without a rebuild.
 */
public final class BuiltinModules {
    private final Path root;

    public BuiltinModules(Path root) {
        this.root = root;
    }

    public static BuiltinModules discover() {
        var override = System.getProperty("cairn.modules", System.getenv("CAIRN_MODULES"));
        if (override != null && !override.isBlank()) return new BuiltinModules(Path.of(override));
        var url = BuiltinModules.class.getResource("/cairn/modules");
        if (url == null) return new BuiltinModules(null);
        try {
            var uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                try {
                    FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException ignored) {
                    // another caller opened it already
                }
            }
            return new BuiltinModules(Path.of(uri));
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot open Cairn's built-in modules: " + e.getMessage(), e);
        }
    }

    /** The module folder, or null when it does not exist. */
    public Path resolve(String path) {
        if (root == null) return null;
        var dir = root.resolve(path);
        return Files.isDirectory(dir) ? dir : null;
    }
}
