package dev.cairn.reconciler.diag;

import java.nio.file.Path;

/** A place in a file, 1-based, as editors and compilers print it. */
public record Location(String file, int line, int column) {

    public static Location of(Path file, int line, int column) {
        return new Location(file.toString(), line, column);
    }

    public static Location file(Path file) {
        return new Location(file.toString(), 1, 1);
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
