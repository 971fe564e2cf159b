package dev.cairn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** Fresh copies of this checkout's example repos, without any local state. */
public final class Examples {
    private Examples() {
    }

    public static Path copy(String example, Path target) throws IOException {
        var from = Path.of(System.getProperty("cairn.repoRoot")).resolve("examples").resolve(example);
        try (Stream<Path> walk = Files.walk(from)) {
            for (var p : walk.toList()) {
                var rel = from.relativize(p).toString();
                if (rel.startsWith(".cairn") || rel.contains(".terraform")) continue;
                if (Files.isDirectory(p)) Files.createDirectories(target.resolve(rel));
                else Files.copy(p, target.resolve(rel), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return target;
    }
}
