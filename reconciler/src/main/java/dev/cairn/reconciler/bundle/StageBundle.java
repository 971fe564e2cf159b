package dev.cairn.reconciler.bundle;

import dev.cairn.reconciler.manifest.Json;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Everything one stage's work dir needs, as data: the module files, {@code cairn.auto.tfvars.json},
 * the generated backend and provider, the sensitive-variables override, and {@link BundleManifest}
 * as {@value BundleManifest#FILE}. It is written to a directory (local mode renders straight into
 * the work dir) or stored as one zip archive in the blob store ({@link BundleKeys#bundle}), which
 * {@code cairn stage} extracts in CodeBuild.
 *
 * <p>The archive is deterministic (sorted entries, fixed timestamps), so its SHA-256 names its
 * content. Extraction refuses any entry that could land outside the target: absolute names, {@code ..},
 * backslashes, symlink entries, duplicates; and it writes regular files only, never through a link.
 * The tfvars may hold secrets: an archive belongs in the blob store (SSE-KMS in AWS), never in a log.
 */
public record StageBundle(BundleManifest manifest, SortedMap<String, byte[]> files) {
    /** Upper bounds that stop a hostile archive from filling the disk. */
    static final int MAX_ENTRIES = 10_000;
    static final long MAX_BYTES = 512L * 1024 * 1024;
    private static final FileTime EPOCH = FileTime.fromMillis(315_532_800_000L); // 1980-01-01, zip's first second

    public StageBundle {
        files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
        files.keySet().forEach(StageBundle::checkName);
        if (files.containsKey(BundleManifest.FILE)) throw new BundleException(BundleManifest.FILE + " is the bundle's manifest, not a module file");
    }

    /**
     * The bundle of a rendered work dir: every regular file but Terraform's own data
     * ({@code .terraform/}, saved plans, state). A symlink in the dir is refused.
     */
    public static StageBundle fromDirectory(Path dir, BundleManifest manifest) {
        var files = new TreeMap<String, byte[]>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (var p : walk.sorted().toList()) {
                if (p.equals(dir)) continue;
                var rel = dir.relativize(p).toString().replace('\\', '/');
                if (!renderedFile(rel)) continue;
                if (Files.isSymbolicLink(p)) throw new BundleException("refusing to bundle " + p + ": it is a symlink");
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) files.put(rel, Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the work dir " + dir, e);
        }
        return new StageBundle(manifest, files);
    }

    /** Whether a work dir file belongs to the rendered stage (not Terraform's data, plans, state or the manifest). */
    static boolean renderedFile(String rel) {
        return !(rel.equals(".terraform") || rel.startsWith(".terraform/") || rel.endsWith(".tfplan")
                || rel.endsWith(".tfstate") || rel.endsWith(".tfstate.backup") || rel.equals(".terraform.tfstate.lock.info")
                || rel.equals(BundleManifest.FILE));
    }

    /**
     * Writes every file and the manifest into {@code dir} (created if needed), replacing files of the
     * same name and leaving others ({@code .terraform/}, state) in place. Nothing is written through
     * a symlink.
     */
    public void writeTo(Path dir) {
        try {
            if (Files.isSymbolicLink(dir)) throw new BundleException("refusing to extract into " + dir + ": it is a symlink");
            Files.createDirectories(dir);
            for (var entry : files.entrySet()) write(dir, entry.getKey(), entry.getValue());
            write(dir, BundleManifest.FILE, Json.MAPPER.writeValueAsBytes(manifest));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the bundle into " + dir, e);
        }
    }

    private static void write(Path dir, String name, byte[] content) throws IOException {
        var target = dir;
        var parts = name.split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            target = target.resolve(parts[i]);
            if (Files.isSymbolicLink(target)) throw new BundleException("refusing to extract " + name + ": " + target + " is a symlink");
            Files.createDirectories(target);
        }
        var file = target.resolve(parts[parts.length - 1]);
        if (Files.isSymbolicLink(file)) Files.delete(file);
        Files.write(file, content, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
    }

    /** The bundle as one deterministic zip archive: the manifest first, then the files in name order. */
    public byte[] toZip() {
        var bytes = new ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
            put(zip, BundleManifest.FILE, Json.MAPPER.writeValueAsBytes(manifest));
            for (var entry : files.entrySet()) put(zip, entry.getKey(), entry.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
        var entry = new ZipEntry(name);
        entry.setLastModifiedTime(EPOCH);
        entry.setCreationTime(EPOCH);
        entry.setLastAccessTime(EPOCH);
        entry.setTime(EPOCH.toMillis());
        zip.putNextEntry(entry);
        zip.write(content);
        zip.closeEntry();
    }

    /**
     * Reads an archive made by {@link #toZip}. Refuses (with {@link BundleException}) entries with an
     * absolute or climbing name, symlink entries, duplicates, a missing or foreign manifest, and
     * archives past {@value #MAX_ENTRIES} entries or 512 MiB.
     */
    public static StageBundle fromZip(byte[] archive) {
        refuseSymlinkEntries(archive);
        var files = new TreeMap<String, byte[]>();
        BundleManifest manifest = null;
        long total = 0;
        int count = 0;
        try (var zip = new ZipInputStream(new ByteArrayInputStream(archive), StandardCharsets.UTF_8)) {
            ZipEntry entry;
            var buffer = new byte[8192];
            while ((entry = zip.getNextEntry()) != null) {
                if (++count > MAX_ENTRIES) throw new BundleException("the bundle has more than " + MAX_ENTRIES + " entries");
                var name = entry.getName();
                if (entry.isDirectory()) {
                    checkName(name.substring(0, name.length() - 1));
                    continue;
                }
                checkName(name);
                var out = new ByteArrayOutputStream();
                int n;
                while ((n = zip.read(buffer)) > 0) {
                    total += n;
                    if (total > MAX_BYTES) throw new BundleException("the bundle unpacks to more than " + (MAX_BYTES >> 20) + " MiB");
                    out.write(buffer, 0, n);
                }
                if (name.equals(BundleManifest.FILE)) {
                    if (manifest != null) throw new BundleException("the bundle has two entries named " + name);
                    manifest = Json.MAPPER.readValue(out.toByteArray(), BundleManifest.class);
                } else if (files.put(name, out.toByteArray()) != null) {
                    throw new BundleException("the bundle has two entries named " + name);
                }
            }
        } catch (IOException e) {
            throw new BundleException("the bundle is not a readable zip archive: " + e.getMessage());
        }
        if (manifest == null) throw new BundleException("the bundle has no " + BundleManifest.FILE);
        if (manifest.format() != BundleManifest.FORMAT) {
            throw new BundleException("the bundle's format is " + manifest.format() + "; this cairn reads format " + BundleManifest.FORMAT);
        }
        return new StageBundle(manifest, files);
    }

    /** A safe relative name: no absolute path, drive, backslash, empty, {@code .} or {@code ..} segment, no control character. */
    static void checkName(String name) {
        if (name == null || name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.matches("^[A-Za-z]:.*")
                || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new BundleException("refusing bundle entry `" + printable(name) + "`: not a plain relative path");
        }
        for (var part : name.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new BundleException("refusing bundle entry `" + printable(name) + "`: it could point outside the work dir");
            }
        }
    }

    private static String printable(String name) {
        return name == null ? "null" : name.replaceAll("\\p{Cntrl}", "?");
    }

    /**
     * A zip carries a Unix file mode in the central directory's external attributes; an entry whose
     * mode is a symlink ({@code 0120000}) is refused, even though extraction would write it as a file.
     */
    private static void refuseSymlinkEntries(byte[] archive) {
        var buf = ByteBuffer.wrap(archive).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = -1;
        for (int i = archive.length - 22; i >= Math.max(0, archive.length - 22 - 65_535); i--) {
            if (buf.getInt(i) == 0x06054b50) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) throw new BundleException("the bundle is not a zip archive (no end of central directory)");
        int entries = Short.toUnsignedInt(buf.getShort(eocd + 10));
        long offset = Integer.toUnsignedLong(buf.getInt(eocd + 16));
        int p = (int) Math.min(offset, archive.length);
        for (int i = 0; i < entries; i++) {
            if (p + 46 > archive.length || buf.getInt(p) != 0x02014b50) throw new BundleException("the bundle's zip directory is damaged");
            int madeBy = Short.toUnsignedInt(buf.getShort(p + 4)) >> 8;
            int nameLength = Short.toUnsignedInt(buf.getShort(p + 28));
            int extraLength = Short.toUnsignedInt(buf.getShort(p + 30));
            int commentLength = Short.toUnsignedInt(buf.getShort(p + 32));
            long external = Integer.toUnsignedLong(buf.getInt(p + 38));
            if (p + 46 + nameLength > archive.length) throw new BundleException("the bundle's zip directory is damaged");
            if (madeBy == 3 && ((external >> 16) & 0170000) == 0120000) {
                var name = new String(archive, p + 46, nameLength, StandardCharsets.UTF_8);
                throw new BundleException("refusing bundle entry `" + printable(name) + "`: it is a symlink");
            }
            p += 46 + nameLength + extraLength + commentLength;
        }
    }

    /** The hex SHA-256 of {@code content}: of an archive, of a saved plan. */
    public static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Same files with the same bytes (records of arrays compare by identity). */
    public boolean sameFiles(Map<String, byte[]> other) {
        if (!files.keySet().equals(other.keySet())) return false;
        return files.entrySet().stream().allMatch(e -> java.util.Arrays.equals(e.getValue(), other.get(e.getKey())));
    }

    /** A bundle that cannot be read or would write outside its work dir. */
    public static final class BundleException extends RuntimeException {
        public BundleException(String message) {
            super(message);
        }
    }
}
