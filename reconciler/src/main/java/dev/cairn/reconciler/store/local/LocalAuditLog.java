package dev.cairn.reconciler.store.local;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.store.AuditLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The audit log as one JSON line per entry in {@code audit/INFRA.jsonl} (owner-only), appended
 * under {@link FileGuard} so that concurrent appends never interleave. Nothing rewrites the file.
 */
public final class LocalAuditLog implements AuditLog {
    private final Path dir;

    public LocalAuditLog(Path dir) {
        this.dir = dir;
    }

    @Override
    public void append(Entry entry) {
        var file = file(entry.infrastructure());
        FileGuard.locked(file.resolveSibling("." + file.getFileName() + ".guard"), () -> {
            try {
                var line = Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(entry) + "\n";
                if (Files.notExists(file)) {
                    Files.createFile(file);
                    try {
                        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                    } catch (UnsupportedOperationException ignored) {
                        // not a POSIX file system
                    }
                }
                Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public List<Entry> list(String infrastructure, int limit) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file(infrastructure), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var entries = new ArrayList<Entry>();
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).isBlank()) continue;
            try {
                entries.add(Json.MAPPER.readValue(lines.get(i), Entry.class));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(file(infrastructure) + ":" + (i + 1) + ": not an audit entry: " + e.getOriginalMessage(), e);
            }
        }
        // newest first; entries with the same time keep the newest append first (the sort is stable)
        entries.sort(Comparator.comparing(Entry::at).reversed());
        return entries.subList(0, Math.min(limit, entries.size()));
    }

    private Path file(String infrastructure) {
        return LocalPaths.child(dir, infrastructure + ".jsonl");
    }
}
