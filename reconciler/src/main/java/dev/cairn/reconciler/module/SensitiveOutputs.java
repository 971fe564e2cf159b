package dev.cairn.reconciler.module;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Whether a module marks an output {@code sensitive = true} (needed to re-export it from a wrapper). */
final class SensitiveOutputs {
    private SensitiveOutputs() {
    }

    static boolean isSensitive(Path dir, String output) {
        var block = Pattern.compile("(?s)output\\s+\"" + Pattern.quote(output) + "\"\\s*\\{(.*?)\\n}");
        try (Stream<Path> files = Files.list(dir)) {
            for (var file : files.filter(p -> p.toString().endsWith(".tf") && Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList()) {
                var m = block.matcher(Files.readString(file));
                if (m.find() && m.group(1).matches("(?s).*sensitive\\s*=\\s*true.*")) return true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return false;
    }
}
