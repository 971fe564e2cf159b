package dev.cairn.reconciler.bundle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Archives that try to write outside the work dir, or through a link, are refused before anything is written. */
class BundleHostileArchiveTest {

    @TempDir
    Path tmp;

    private static final BundleManifest MANIFEST = new BundleManifest(BundleManifest.FORMAT, "dev", "run-1", "network", "APPLY",
            null, "00", List.of());

    private static byte[] zip(Map<String, String> entries) throws Exception {
        var bytes = new ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(bytes)) {
            for (var e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static String manifestJson() throws Exception {
        return dev.cairn.reconciler.manifest.Json.MAPPER.writeValueAsString(MANIFEST);
    }

    @Test
    void climbingAbsoluteAndBackslashNamesAreRefused() throws Exception {
        for (var name : List.of("../evil.tf", "modules/../../evil.tf", "/etc/evil.tf", "a\\..\\evil.tf", "C:/evil.tf", "./x.tf", "a//b.tf")) {
            var archive = zip(new TreeMap<>(Map.of(BundleManifest.FILE, manifestJson(), name, "x")));
            assertThatThrownBy(() -> StageBundle.fromZip(archive)).as(name)
                    .isInstanceOf(StageBundle.BundleException.class).hasMessageContaining("refusing bundle entry");
        }
    }

    @Test
    void aSymlinkEntryIsRefused() throws Exception {
        var archive = zip(new TreeMap<>(Map.of(BundleManifest.FILE, manifestJson(), "link.tf", "/etc/passwd")));
        // mark link.tf as made on Unix with mode 0120777 (a symlink), as `zip --symlinks` writes it
        var buf = ByteBuffer.wrap(archive).order(ByteOrder.LITTLE_ENDIAN);
        boolean marked = false;
        for (int p = 0; p + 46 < archive.length; p++) {
            if (buf.getInt(p) != 0x02014b50) continue;
            int nameLength = Short.toUnsignedInt(buf.getShort(p + 28));
            if (new String(archive, p + 46, nameLength, StandardCharsets.UTF_8).equals("link.tf")) {
                buf.putShort(p + 4, (short) 0x031e);
                buf.putInt(p + 38, 0120777 << 16);
                marked = true;
            }
        }
        assertThat(marked).isTrue();
        assertThatThrownBy(() -> StageBundle.fromZip(archive)).isInstanceOf(StageBundle.BundleException.class)
                .hasMessageContaining("link.tf").hasMessageContaining("symlink");
    }

    @Test
    void aBundleWithoutItsManifestOrNotAZipIsRefused() throws Exception {
        assertThatThrownBy(() -> StageBundle.fromZip(zip(Map.of("main.tf", "x")))).hasMessageContaining("has no cairn-stage.json");
        assertThatThrownBy(() -> StageBundle.fromZip("not a zip".getBytes(StandardCharsets.UTF_8))).hasMessageContaining("not a zip");
    }

    @Test
    void extractingThroughASymlinkedFolderIsRefusedAndWritesNothingOutside() throws Exception {
        var outside = Files.createDirectories(tmp.resolve("outside"));
        var work = Files.createDirectories(tmp.resolve("work"));
        Files.createSymbolicLink(work.resolve("modules"), outside);
        var bundle = new StageBundle(MANIFEST, new TreeMap<>(Map.of("modules/x/main.tf", "x".getBytes(StandardCharsets.UTF_8))));
        assertThatThrownBy(() -> bundle.writeTo(work)).isInstanceOf(StageBundle.BundleException.class).hasMessageContaining("symlink");
        try (var files = Files.list(outside)) {
            assertThat(files.toList()).isEmpty();
        }
        // a symlink planted at a file's own name is replaced by the file, never written through
        var target = Files.writeString(tmp.resolve("target.txt"), "keep");
        Files.createSymbolicLink(work.resolve("main.tf"), target);
        var direct = new StageBundle(MANIFEST, new TreeMap<>(Map.of("main.tf", "new".getBytes(StandardCharsets.UTF_8))));
        Files.delete(work.resolve("modules"));
        direct.writeTo(work);
        assertThat(Files.readString(target)).isEqualTo("keep");
        assertThat(Files.isSymbolicLink(work.resolve("main.tf"))).isFalse();
        assertThat(Files.readString(work.resolve("main.tf"))).isEqualTo("new");
    }

    @Test
    void bundlingADirWithASymlinkIsRefused() throws Exception {
        var dir = Files.createDirectories(tmp.resolve("dir"));
        Files.writeString(dir.resolve("main.tf"), "x");
        Files.createSymbolicLink(dir.resolve("secrets.tf"), tmp.resolve("elsewhere.tf"));
        assertThatThrownBy(() -> StageBundle.fromDirectory(dir, MANIFEST)).hasMessageContaining("symlink");
    }
}
