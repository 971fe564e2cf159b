package dev.cairn.reconciler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** Writes small infrastructure repos to disk for tests, and copies the example repos of this checkout. */
public final class RepoFiles {
    private RepoFiles() {
    }

    /** Writes {@code text} to {@code root/relative}, creating folders; returns the absolute, normalized file. */
    public static Path write(Path root, String relative, String text) {
        try {
            var file = root.resolve(relative).toAbsolutePath().normalize();
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The root of this checkout (the folder that holds examples/ and schema/). */
    public static Path checkoutRoot() {
        var configured = System.getProperty("cairn.repoRoot");
        if (configured != null && !configured.isBlank()) return Path.of(configured).toAbsolutePath().normalize();
        for (var dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("examples/quickstart"))) return dir;
        }
        throw new IllegalStateException("cannot find the checkout root (examples/quickstart) from " + Path.of("").toAbsolutePath());
    }

    /** Copies examples/quickstart into {@code dest} and returns the copy's absolute path. */
    public static Path copyQuickstart(Path dest) {
        var from = checkoutRoot().resolve("examples/quickstart");
        var to = dest.toAbsolutePath().normalize();
        try (Stream<Path> walk = Files.walk(from)) {
            for (var p : walk.toList()) {
                var rel = from.relativize(p).toString();
                if (rel.contains(".terraform") || rel.startsWith(".cairn")) continue;
                var target = to.resolve(rel);
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return to;
    }
}
