package dev.cairn.reconciler.manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RepoPathTest {
    @TempDir
    Path tmp;

    @Test
    void blankOrAbsentIsTheRoot() {
        assertThat(RepoPath.of(null).isRoot()).isTrue();
        assertThat(RepoPath.of("  ").isRoot()).isTrue();
        assertThat(RepoPath.fromEnv(Map.of()).isRoot()).isTrue();
        assertThat(RepoPath.fromEnv(Map.of(RepoPath.VARIABLE, "examples/quickstart")).value()).isEqualTo("examples/quickstart");
        assertThat(RepoPath.of("infra").child("cairn.yaml")).isEqualTo("infra/cairn.yaml");
        assertThat(RepoPath.ROOT.child("cairn.yaml")).isEqualTo("cairn.yaml");
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../infra", "infra/../..", "infra/..", "/etc", "/", "C:/infra", "./infra", "infra/./x", "infra//x",
            "infra/", "infra\\x", "in\u0000fra", " infra", "infra\n"})
    void aPathThatIsNotRelativeAndNormalIsRefused(String raw) {
        assertThatThrownBy(() -> RepoPath.of(raw)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the repository path").hasMessageContaining("relative folder inside the repository");
        assertThatThrownBy(() -> RepoPath.fromEnv(Map.of(RepoPath.VARIABLE, raw))).hasMessageStartingWith(RepoPath.VARIABLE + ": ");
    }

    @Test
    void resolvingChecksContainmentThroughSymbolicLinks() throws Exception {
        var root = Files.createDirectories(tmp.resolve("repo"));
        Files.createDirectories(root.resolve("infra"));
        assertThat(RepoPath.of("infra").resolveIn(root)).isEqualTo(root.toAbsolutePath().normalize().resolve("infra"));
        var outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(root.resolve("link"), outside);
        assertThatThrownBy(() -> RepoPath.of("link").resolveIn(root)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("through a symbolic link");
    }
}
