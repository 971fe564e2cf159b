package dev.cairn.chatops;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InfraCatalogTest {
    @TempDir
    Path repo;

    @Test
    void policiesComeFromTheManifestsWithRepoDefaultsUnderThemAndAreCachedForTheTtl() throws Exception {
        Files.createDirectories(repo.resolve("envs"));
        Files.writeString(repo.resolve("cairn.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Repository
                infrastructures: envs
                branch: trunk
                defaults:
                  policy: { approvers: [S0PLATFORM] }
                  notifications: { slack: { channel: "#infra" } }
                """);
        Files.writeString(repo.resolve("envs/prod.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata: { name: prod }
                spec:
                  policy: { apply: approval, destroy: forbidden }
                  notifications: { slack: { channel: "#infra-prod" } }
                """);
        Files.writeString(repo.resolve("envs/dev.yml"), "apiVersion: cairn.dev/v1\nkind: Infrastructure\nmetadata: { name: dev }\n");
        Files.writeString(repo.resolve("envs/broken.yaml"), "metadata: { name: [unclosed\n");
        Files.writeString(repo.resolve("envs/odd.yaml"), "apiVersion: cairn.dev/v1\nkind: Infrastructure\nmetadata: { name: odd }\nspec: { policy: { approvers: { a: 1 } } }\n");
        var clock = new java.util.concurrent.atomic.AtomicReference<>(Instant.parse("2026-12-01T12:00:00Z"));
        var catalog = new Catalog(repo, Duration.ofSeconds(30), new Clock() {
            public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
            public Clock withZone(java.time.ZoneId zone) { return this; }
            public Instant instant() { return clock.get(); }
        });
        var view = catalog.view();
        assertThat(view.ref()).isEqualTo("refs/heads/trunk");
        assertThat(view.infrastructures().keySet()).as("broken and malformed manifests are left out").containsExactlyInAnyOrder("prod", "dev");
        var prod = view.infrastructures().get("prod");
        assertThat(prod.policy().approvers()).containsExactly("S0PLATFORM");
        assertThat(prod.policy().apply()).isEqualTo("approval");
        assertThat(prod.policy().destroy()).isEqualTo("forbidden");
        assertThat(prod.channel()).isEqualTo("#infra-prod");
        assertThat(view.infrastructures().get("dev").channel()).isEqualTo("#infra");

        Files.writeString(repo.resolve("envs/staging.yaml"), "apiVersion: cairn.dev/v1\nkind: Infrastructure\nmetadata: { name: staging }\n");
        assertThat(catalog.view().infrastructures()).as("cached").doesNotContainKey("staging");
        clock.set(clock.get().plusSeconds(31));
        assertThat(catalog.view().infrastructures()).containsKey("staging");
        assertThat(List.copyOf(catalog.view().infrastructures().keySet())).hasSize(3);
    }

    @Test
    void withARepositoryPathCairnYamlAndTheManifestsAreReadUnderThatFolderAndTheCommitIsTheWorkTrees() throws Exception {
        Files.writeString(repo.resolve("cairn.yaml"), "apiVersion: cairn.dev/v1\nkind: Repository\nbranch: other\n");
        Files.createDirectories(repo.resolve("infrastructures"));
        Files.writeString(repo.resolve("infrastructures/root.yaml"), "apiVersion: cairn.dev/v1\nkind: Infrastructure\nmetadata: { name: root }\n");
        Files.createDirectories(repo.resolve("platform/infra/infrastructures"));
        Files.writeString(repo.resolve("platform/infra/cairn.yaml"), "apiVersion: cairn.dev/v1\nkind: Repository\nbranch: main\n");
        Files.writeString(repo.resolve("platform/infra/infrastructures/dev.yaml"),
                "apiVersion: cairn.dev/v1\nkind: Infrastructure\nmetadata: { name: dev }\nspec: { policy: { apply: approval } }\n");
        String head;
        try (var git = org.eclipse.jgit.api.Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            head = git.commit().setMessage("monorepo").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").setSign(false).call().name();
        }
        var view = new Catalog(repo, dev.cairn.reconciler.manifest.RepoPath.of("platform/infra"), () -> { }, Duration.ZERO, Clock.systemUTC()).view();
        assertThat(view.infrastructures().keySet()).containsExactly("dev");
        assertThat(view.infrastructures().get("dev").policy().apply()).isEqualTo("approval");
        assertThat(view.ref()).isEqualTo("refs/heads/main");
        assertThat(view.commit()).isEqualTo(head);

        var missing = new Catalog(repo, dev.cairn.reconciler.manifest.RepoPath.of("platform/none"), () -> { }, Duration.ZERO, Clock.systemUTC());
        org.assertj.core.api.Assertions.assertThatThrownBy(missing::view).hasMessageContaining("platform/none").hasMessageContaining("CAIRN_REPO_PATH");
    }
}
