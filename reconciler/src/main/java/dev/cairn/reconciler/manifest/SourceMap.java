package dev.cairn.reconciler.manifest;

import dev.cairn.reconciler.diag.Location;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each node of a YAML document sits in its file, keyed by JSON pointer ({@code /spec/network/cidr}).
 * Keeps the location of a mapping key and of its value apart: "unknown key" points at the key,
 * "bad value" at the value.
 */
public final class SourceMap {
    private final Path file;
    private final Map<String, Location> values = new HashMap<>();
    private final Map<String, Location> keys = new HashMap<>();

    public SourceMap(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    void putValue(String pointer, int line, int column) {
        values.put(pointer, new Location(file.toString(), line, column));
    }

    void putKey(String pointer, int line, int column) {
        keys.put(pointer, new Location(file.toString(), line, column));
    }

    /** True when the file itself holds a value at {@code pointer}. */
    public boolean has(String pointer) {
        return values.containsKey(pointer);
    }

    /** Location of the value at {@code pointer}, or of its nearest ancestor that has one. */
    public Location value(String pointer) {
        for (var p = pointer; ; p = parent(p)) {
            var loc = values.get(p);
            if (loc != null) return loc;
            if (p.isEmpty()) return Location.file(file);
        }
    }

    /** Location of the key that names {@code pointer}; falls back to the value's location. */
    public Location key(String pointer) {
        var loc = keys.get(pointer);
        return loc != null ? loc : value(pointer);
    }

    public static String parent(String pointer) {
        int slash = pointer.lastIndexOf('/');
        return slash <= 0 ? "" : pointer.substring(0, slash);
    }

    public static String child(String pointer, String name) {
        return pointer + "/" + name.replace("~", "~0").replace("/", "~1");
    }

    public static String child(String pointer, int index) {
        return pointer + "/" + index;
    }
}
