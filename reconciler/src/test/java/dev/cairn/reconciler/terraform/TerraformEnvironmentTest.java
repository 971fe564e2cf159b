package dev.cairn.reconciler.terraform;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class TerraformEnvironmentTest {
    @TempDir
    Path tmp;

    @Test
    void aSymlinkAtTheCliConfigPathIsReplacedNeverWrittenThrough() throws Exception {
        var victim = Files.writeString(tmp.resolve("victim.txt"), "keep me\n");
        var stateDir = Files.createDirectories(tmp.resolve("repo/.cairn"));
        var config = stateDir.resolve("terraform.rc");
        Files.createSymbolicLink(config, victim);

        TerraformEnvironment.writeCliConfig(config, "provider_installation {}\n");

        assertThat(victim).hasContent("keep me");
        assertThat(Files.isSymbolicLink(config)).isFalse();
        assertThat(config).hasContent("provider_installation {}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
    }
}
