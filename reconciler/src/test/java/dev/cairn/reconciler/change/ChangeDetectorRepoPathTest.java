package dev.cairn.reconciler.change;

import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.reconciler.manifest.RepoPath;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A monorepo whose cairn.yaml lives in {@code infra/}: only what lies under it is read. */
class ChangeDetectorRepoPathTest {
    @TempDir
    Path tmp;
    GitFixture git;
    final ChangeDetector detector = new ChangeDetector(RepoPath.of("infra"));
    ObjectId base;

    @BeforeEach
    void repo() {
        git = GitFixture.init(tmp.resolve("mono"));
        git.write("infra/cairn.yaml", ChangeDetectorTest.CONFIG)
                .write("infra/infrastructures/dev.yaml", ChangeDetectorTest.DEV)
                .write("infra/infrastructures/prod.yaml", ChangeDetectorTest.PROD)
                .write("infra/modules/vpc/main.tf", "resource \"terraform_data\" \"vpc\" {}\n")
                .write("infra/modules/db/main.tf", "resource \"terraform_data\" \"db\" {}\n")
                .write("infra/modules/addons/main.tf", "variable \"argocd_applications\" {}\n")
                // the same layout at the root and in a sibling: another project's, never read
                .write("cairn.yaml", "apiVersion: cairn.dev/v1\nkind: Repository\nbranch: other\n")
                .write("infrastructures/root.yaml", ChangeDetectorTest.DEV.replace("name: dev", "name: root"))
                .write("modules/db/main.tf", "resource \"terraform_data\" \"db\" {}\n")
                .write("app/src/Main.java", "class Main {}\n");
        base = git.commit("base");
    }

    @AfterEach
    void close() {
        git.close();
    }

    @Test
    void aNewBranchSeesTheInfrastructuresUnderThePathOnly() {
        var set = detector.between(git.repo(), null, base);
        assertThat(set.changed()).extracting(ChangeSet.Changed::infrastructure).containsExactly("dev", "prod");
        assertThat(set.changed()).extracting(ChangeSet.Changed::manifest)
                .containsExactly("infrastructures/dev.yaml", "infrastructures/prod.yaml");
        assertThat(detector.config(git.repo(), base).branch()).isEqualTo("main");
        assertThat(new ChangeDetector().config(git.repo(), base).branch()).isEqualTo("other");
    }

    @Test
    void aCommitThatChangesOnlyFilesOutsideThePathChangesNothing() {
        git.write("app/src/Main.java", "class Main { int x; }\n")
                .write("modules/db/main.tf", "resource \"terraform_data\" \"db2\" {}\n")
                .write("cairn.yaml", "apiVersion: cairn.dev/v1\nkind: Repository\nbranch: main\nvariables: { region: us-east-1 }\n")
                .write("infrastructures/root.yaml", ChangeDetectorTest.DEV.replace("name: dev", "name: root2"));
        var set = detector.between(git.repo(), base, git.commit("outside"));
        assertThat(set.changed()).isEmpty();
        assertThat(set.deleted()).isEmpty();
        assertThat(set.unchanged()).containsExactly("dev", "prod");
    }

    @Test
    void aChangeInsideThePathChangesTheInfrastructuresThatUseIt() {
        git.write("infra/infrastructures/dev.yaml", ChangeDetectorTest.DEV + "  tags: { team: payments }\n");
        var set = detector.between(git.repo(), base, git.commit("dev"));
        assertThat(ChangeDetectorTest.reasons(set)).containsOnlyKeys("dev").containsEntry("dev", java.util.List.of("manifest changed"));

        var before = git.commit("noop");
        git.write("infra/cairn.yaml", ChangeDetectorTest.CONFIG.replace("region: eu-west-1", "region: us-east-1"));
        assertThat(ChangeDetectorTest.reasons(detector.between(git.repo(), before, git.commit("region"))))
                .containsOnlyKeys("dev").containsEntry("dev", java.util.List.of("variable region changed"));
    }

    @Test
    void modulePathsStayRelativeToTheRepositoryPath() {
        // modules/db at the root is not prod's module: infra/modules/db is
        git.write("modules/db/main.tf", "resource \"terraform_data\" \"other\" {}\n");
        var before = git.commit("root module");
        assertThat(detector.between(git.repo(), base, before).changed()).isEmpty();

        git.write("infra/modules/db/main.tf", "resource \"terraform_data\" \"db\" { input = 1 }\n");
        assertThat(ChangeDetectorTest.reasons(detector.between(git.repo(), before, git.commit("infra module"))))
                .containsOnlyKeys("prod").containsEntry("prod", java.util.List.of("module modules/db changed"));
    }

    @Test
    void aSymlinkUnderThePathCannotLeadOutOfIt() {
        git.delete("infra/infrastructures/prod.yaml").symlink("infra/infrastructures/prod.yaml", "../../infrastructures/root.yaml");
        var set = detector.between(git.repo(), base, git.commit("link out"));
        assertThat(set.changed()).extracting(ChangeSet.Changed::infrastructure).doesNotContain("root", "root2");
    }

    @Test
    void aPathTheCommitDoesNotHaveIsInvalidInputNamingIt() {
        var missing = new ChangeDetector(RepoPath.of("platform/infra"));
        assertThatThrownBy(() -> missing.between(git.repo(), null, base)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("has no folder platform/infra").hasMessageContaining(RepoPath.VARIABLE);
        assertThatThrownBy(() -> new ChangeDetector(RepoPath.of("app/src/Main.java")).config(git.repo(), base))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("has no folder app/src/Main.java");
    }

    @Test
    void theFolderAppearingLaterMakesEveryInfrastructureNew() {
        var fresh = GitFixture.init(tmp.resolve("fresh"));
        try (fresh) {
            fresh.write("README.md", "soon\n");
            var first = fresh.commit("first");
            fresh.write("infra/cairn.yaml", ChangeDetectorTest.CONFIG).write("infra/infrastructures/dev.yaml", ChangeDetectorTest.DEV)
                    .write("infra/modules/vpc/main.tf", "resource \"terraform_data\" \"vpc\" {}\n")
                    .write("infra/modules/addons/main.tf", "variable \"argocd_applications\" {}\n");
            var set = detector.between(fresh.repo(), first, fresh.commit("infra"));
            assertThat(set.changed()).extracting(ChangeSet.Changed::infrastructure).containsExactly("dev");
        }
    }
}
