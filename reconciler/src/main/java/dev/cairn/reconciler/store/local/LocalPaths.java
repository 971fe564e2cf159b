package dev.cairn.reconciler.store.local;

import java.nio.file.Path;

/** Joins a name onto a store folder, refusing names that would leave it or nest ({@code ../x}, {@code a/b}). */
final class LocalPaths {
    private LocalPaths() {
    }

    static Path child(Path dir, String name) {
        if (name == null || name.isBlank() || name.startsWith(".")) {
            throw new IllegalArgumentException("not a valid store name: `" + name + "`");
        }
        var path = dir.resolve(name).normalize();
        if (!dir.normalize().equals(path.getParent())) {
            throw new IllegalArgumentException("not a valid store name (it leaves the store folder): `" + name + "`");
        }
        return path;
    }
}
