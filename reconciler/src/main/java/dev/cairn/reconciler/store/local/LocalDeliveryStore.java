package dev.cairn.reconciler.store.local;

import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.store.DeliveryStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Deliveries as files {@code deliveries/SOURCE/SHA256(ID).json}: the delivery id comes from the
 * sender, so it never becomes a path itself. Create-if-absent (an expired entry counts as absent)
 * under {@link FileGuard}: of concurrent first deliveries exactly one is first.
 */
public final class LocalDeliveryStore implements DeliveryStore {
    /** What is stored per delivery. */
    public record Seen(String source, String deliveryId, Instant seenAt, Instant expiresAt) {
    }

    private final Path dir;

    public LocalDeliveryStore(Path dir) {
        this.dir = dir;
    }

    @Override
    public boolean firstSeen(String source, String deliveryId, Instant expiresAt) {
        var file = file(source, deliveryId);
        return FileGuard.locked(guard(source), () -> {
            var stored = read(file);
            if (stored.isPresent() && !stored.get().expiresAt().isBefore(Instant.now())) return false;
            try {
                AtomicFiles.write(file, Json.MAPPER.writeValueAsBytes(new Seen(source, deliveryId, Instant.now(), expiresAt)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return true;
        });
    }

    @Override
    public void forget(String source, String deliveryId) {
        var file = file(source, deliveryId);
        FileGuard.locked(guard(source), () -> {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The stored entry, expired or not (what a DynamoDB TTL would eventually delete). */
    public Optional<Seen> stored(String source, String deliveryId) {
        return read(file(source, deliveryId));
    }

    private static Optional<Seen> read(Path file) {
        try {
            return Optional.of(Json.MAPPER.readValue(Files.readAllBytes(file), Seen.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String source, String deliveryId) {
        if (deliveryId == null || deliveryId.isBlank()) throw new IllegalArgumentException("a delivery id is required");
        return LocalPaths.child(LocalPaths.child(dir, source), sha256(deliveryId) + ".json");
    }

    private Path guard(String source) {
        return LocalPaths.child(dir, source).resolveSibling("." + source + ".guard");
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
