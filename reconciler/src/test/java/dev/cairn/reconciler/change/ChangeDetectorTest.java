package dev.cairn.reconciler.change;

import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.reconciler.manifest.RepoConfig;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChangeDetectorTest {
    @TempDir
    Path tmp;
    GitFixture git;
    final ChangeDetector detector = new ChangeDetector();

    static final String CONFIG = """
            apiVersion: cairn.dev/v1
            kind: Repository
            variables:
              org: acme
              region: eu-west-1
            defaults:
              provider: { cloud: none }
              tags: { owner: platform }
            """;

    /** dev uses vars.region and the vpc module; prod uses vars.org and the db module; both run addons. */
    static final String DEV = """
            apiVersion: cairn.dev/v1
            kind: Infrastructure
            metadata:
              name: dev
            spec:
              addons: { source: ./modules/addons }
              modules:
                - name: vpc
                  source: vpc
                  inputs:
                    region: "{{ vars.region }}"
            """;
    static final String PROD = """
            apiVersion: cairn.dev/v1
            kind: Infrastructure
            metadata:
              name: prod
            spec:
              addons: { source: ./modules/addons }
              modules:
                - name: db
                  source: ./modules/db
                  inputs:
                    name: "{{ vars['org'] }}-db"
            """;

    ObjectId base;

    @BeforeEach
    void repo() {
        git = GitFixture.init(tmp.resolve("repo"));
        git.write("cairn.yaml", CONFIG)
                .write("infrastructures/dev.yaml", DEV)
                .write("infrastructures/prod.yaml", PROD)
                .write("modules/vpc/main.tf", "resource \"terraform_data\" \"vpc\" {}\n")
                .write("modules/db/main.tf", "resource \"terraform_data\" \"db\" {}\n")
                .write("modules/addons/main.tf", "variable \"argocd_applications\" {}\n")
                .write("applications/podinfo.yaml", """
                        name: podinfo
                        source: { repoURL: https://stefanprodan.github.io/podinfo, chart: podinfo, targetRevision: 6.7.1 }
                        """)
                .write("README.md", "the platform repo\n");
        base = git.commit("base");
    }

    @AfterEach
    void close() {
        git.close();
    }

    ChangeSet change() {
        return detector.between(git.repo(), base, git.commit("change"));
    }

    static Map<String, List<String>> reasons(ChangeSet set) {
        return set.changed().stream().collect(Collectors.toMap(ChangeSet.Changed::infrastructure, ChangeSet.Changed::reasons));
    }

    @Test
    void aNewBranchChangesEveryInfrastructure() {
        var set = detector.between(git.repo(), null, base);
        assertThat(set.before()).isNull();
        assertThat(set.after()).isEqualTo(base.name());
        assertThat(set.changed()).containsExactly(
                new ChangeSet.Changed("dev", "infrastructures/dev.yaml", List.of("new branch")),
                new ChangeSet.Changed("prod", "infrastructures/prod.yaml", List.of("new branch")));
        assertThat(set.deleted()).isEmpty();
        assertThat(set.unchanged()).isEmpty();
        // a push event's "no previous commit" is the zero id
        assertThat(detector.between(git.repo(), ObjectId.zeroId(), base).changed()).hasSize(2);
    }

    @Test
    void aChangeNoInfrastructureConsumesChangesNothing() {
        git.write("README.md", "new text\n").write("docs/notes.yaml", "not: a manifest\n");
        var set = change();
        assertThat(set.changed()).isEmpty();
        assertThat(set.deleted()).isEmpty();
        assertThat(set.unchanged()).containsExactly("dev", "prod");
        assertThat(set.before()).isEqualTo(base.name());
    }

    @Test
    void aManifestEditChangesThatInfrastructureOnly() {
        git.write("infrastructures/dev.yaml", DEV + "  tags: { team: web }\n");
        var set = change();
        assertThat(set.changed()).containsExactly(new ChangeSet.Changed("dev", "infrastructures/dev.yaml", List.of("manifest changed")));
        assertThat(set.unchanged()).containsExactly("prod");
    }

    @Test
    void commentsAndFormattingAreNoChange() {
        git.write("infrastructures/dev.yaml", "# the development environment\n" + DEV.replace("addons: { source: ./modules/addons }",
                "addons:\n    source: \"./modules/addons\"   # ours"));
        assertThat(change().changed()).isEmpty();
    }

    @Test
    void aRenameWithTheSameContentIsNoChange() {
        git.move("infrastructures/dev.yaml", "infrastructures/eu/development.yaml");
        var set = change();
        assertThat(set.changed()).isEmpty();
        assertThat(set.deleted()).isEmpty();
        assertThat(set.unchanged()).containsExactly("dev", "prod");
    }

    @Test
    void aRemovedManifestIsDeletedNotChanged() {
        git.delete("infrastructures/prod.yaml");
        var set = change();
        assertThat(set.deleted()).containsExactly(new ChangeSet.Deleted("prod", "infrastructures/prod.yaml"));
        assertThat(set.changed()).isEmpty();
        assertThat(set.unchanged()).containsExactly("dev");
    }

    @Test
    void aNewManifestIsANewInfrastructure() {
        git.write("infrastructures/staging.yml", DEV.replace("name: dev", "name: staging"));
        var set = change();
        assertThat(set.changed()).containsExactly(new ChangeSet.Changed("staging", "infrastructures/staging.yml", List.of("new infrastructure")));
        assertThat(set.unchanged()).containsExactly("dev", "prod");
    }

    @Test
    void renamingAnInfrastructureDeletesTheOldNameAndAddsTheNew() {
        git.write("infrastructures/dev.yaml", DEV.replace("name: dev", "name: development"));
        var set = change();
        assertThat(set.changed()).containsExactly(new ChangeSet.Changed("development", "infrastructures/dev.yaml", List.of("new infrastructure")));
        assertThat(set.deleted()).containsExactly(new ChangeSet.Deleted("dev", "infrastructures/dev.yaml"));
    }

    @Test
    void aDefaultsChangeEveryManifestOverridesIsNoChange() {
        git.write("infrastructures/dev.yaml", DEV + "  tags: { owner: web }\n").write("infrastructures/prod.yaml", PROD + "  tags: { owner: db }\n");
        var withOwnTags = git.commit("own tags");
        git.write("cairn.yaml", CONFIG.replace("owner: platform", "owner: platform-team"));
        var set = detector.between(git.repo(), withOwnTags, git.commit("defaults"));
        assertThat(set.changed()).isEmpty();
        assertThat(set.unchanged()).containsExactly("dev", "prod");
    }

    @Test
    void aDefaultsChangeChangesTheManifestsThatInheritIt() {
        git.write("infrastructures/prod.yaml", PROD + "  tags: { owner: db }\n");
        var prodOverrides = git.commit("prod has its own owner");
        git.write("cairn.yaml", CONFIG.replace("owner: platform", "owner: platform-team"));
        var set = detector.between(git.repo(), prodOverrides, git.commit("defaults"));
        assertThat(reasons(set)).isEqualTo(Map.of("dev", List.of("cairn.yaml defaults changed")));
        assertThat(set.unchanged()).containsExactly("prod");
    }

    @Test
    void aManifestAndDefaultsChangeTogetherGiveBothReasons() {
        git.write("cairn.yaml", CONFIG.replace("owner: platform", "owner: platform-team"))
                .write("infrastructures/dev.yaml", DEV + "  variables: { size: small }\n");
        assertThat(reasons(change()).get("dev")).containsExactly("manifest changed", "cairn.yaml defaults changed");
    }

    @Test
    void movingAValueFromTheManifestToTheDefaultsIsNoChange() {
        git.write("infrastructures/dev.yaml", DEV + "  tags: { owner: platform }\n");
        assertThat(change().changed()).isEmpty();
    }

    @Test
    void aVariableChangeChangesTheInfrastructuresWhoseTemplatesUseIt() {
        git.write("cairn.yaml", CONFIG.replace("region: eu-west-1", "region: eu-central-1"));
        var set = change();
        assertThat(reasons(set)).isEqualTo(Map.of("dev", List.of("variable region changed")));
        assertThat(set.unchanged()).containsExactly("prod");

        git.write("cairn.yaml", CONFIG.replace("org: acme", "org: acme-corp"));
        base = git.commit("org is acme-corp, region back to eu-west-1");
        // vars['org'] is a use too; a new variable nobody uses changes nothing
        git.write("cairn.yaml", CONFIG.replace("org: acme", "org: acme-inc").replace("variables:", "variables:\n  unused: 1"));
        set = change();
        assertThat(reasons(set)).isEqualTo(Map.of("prod", List.of("variable org changed")));
        assertThat(set.unchanged()).containsExactly("dev");
    }

    @Test
    void aVariableTheManifestSetsItselfIsNoChange() {
        git.write("infrastructures/dev.yaml", DEV + "  variables: { region: us-east-1 }\n");
        var own = git.commit("dev sets its own region");
        git.write("cairn.yaml", CONFIG.replace("region: eu-west-1", "region: eu-central-1"));
        assertThat(detector.between(git.repo(), own, git.commit("repo region")).changed()).isEmpty();
    }

    @Test
    void aTemplateThatReadsEveryVariableSeesEveryChange() {
        git.write("infrastructures/prod.yaml", PROD + "  tags: { all: \"{{ vars | length }}\" }\n");
        var dynamic = git.commit("prod counts its variables");
        git.write("cairn.yaml", CONFIG.replace("region: eu-west-1", "region: eu-central-1"));
        var set = detector.between(git.repo(), dynamic, git.commit("region"));
        assertThat(reasons(set)).isEqualTo(Map.of("dev", List.of("variable region changed"), "prod", List.of("variable region changed")));
    }

    @Test
    void aModuleChangeChangesExactlyTheInfrastructuresThatUseIt() {
        git.write("modules/vpc/variables.tf", "variable \"region\" {}\n");
        var set = change();
        assertThat(set.changed()).containsExactly(new ChangeSet.Changed("dev", "infrastructures/dev.yaml", List.of("module modules/vpc changed")));
        assertThat(set.unchanged()).containsExactly("prod");

        base = git.commit("nothing");
        git.write("modules/addons/main.tf", "variable \"argocd_applications\" { type = any }\n");
        assertThat(reasons(change())).isEqualTo(Map.of("dev", List.of("module modules/addons changed"),
                "prod", List.of("module modules/addons changed")));
    }

    @Test
    void aModuleUsedThroughABuiltInStageSourceOverrideCounts() {
        git.write("infrastructures/prod.yaml", PROD + "  network: { source: vpc, cidr: 10.0.0.0/16 }\n");
        base = git.commit("prod's network on the vpc module");
        git.write("modules/vpc/outputs.tf", "output \"vpc_id\" { value = \"vpc-1\" }\n");
        assertThat(reasons(change())).isEqualTo(Map.of("dev", List.of("module modules/vpc changed"),
                "prod", List.of("module modules/vpc changed")));
    }

    @Test
    void aDisabledStagesModuleIsNotConsumed() {
        git.write("infrastructures/prod.yaml", PROD + "  network: { enabled: false, source: vpc }\n");
        base = git.commit("prod's network off");
        git.write("modules/vpc/outputs.tf", "output \"vpc_id\" { value = \"vpc-1\" }\n");
        var set = change();
        assertThat(reasons(set).keySet()).containsExactly("dev");
        assertThat(set.unchanged()).containsExactly("prod");
    }

    @Test
    void aLocalModuleThatAModuleUsesCountsToo() {
        git.write("modules/db/main.tf", "module \"common\" {\n  source = \"../common\"\n}\n").write("modules/common/main.tf", "# v1\n");
        base = git.commit("db uses common");
        git.write("modules/common/main.tf", "# v2\n");
        var set = change();
        assertThat(set.changed()).containsExactly(new ChangeSet.Changed("prod", "infrastructures/prod.yaml", List.of("module modules/common changed")));
        assertThat(set.unchanged()).containsExactly("dev");
    }

    @Test
    void aModuleInAGitSubmoduleChangesWhenItsCommitMoves() {
        git.write("infrastructures/prod.yaml", PROD.replace("./modules/db", "./vendor/db"));
        git.commit("prod's db comes from a submodule");
        var pinned = git.commitSubmodule("vendor/db", base, "vendor/db at the base commit");
        var same = git.commitSubmodule("vendor/db", base, "nothing moved");
        assertThat(detector.between(git.repo(), pinned, same).changed()).isEmpty();
        var moved = git.commitSubmodule("vendor/db", pinned, "vendor/db moved");
        assertThat(reasons(detector.between(git.repo(), same, moved))).isEqualTo(Map.of("prod", List.of("module vendor/db changed")));
    }

    @Test
    void aModuleFolderMovedWithItsContentIsNoChange() {
        git.move("modules/vpc/main.tf", "tf/vpc/main.tf").move("modules/db/main.tf", "tf/db/main.tf")
                .move("modules/addons/main.tf", "tf/addons/main.tf")
                .write("cairn.yaml", CONFIG + "modules: tf\n")
                .write("infrastructures/prod.yaml", PROD.replace("./modules/db", "./tf/db").replace("./modules/addons", "./tf/addons"))
                .write("infrastructures/dev.yaml", DEV.replace("./modules/addons", "./tf/addons"));
        var set = change();
        assertThat(reasons(set)).isEqualTo(Map.of("dev", List.of("manifest changed"), "prod", List.of("manifest changed")));

        // the bare name `vpc` now resolves to tf/vpc; same content, so only a content change there counts
        base = git.commit("moved");
        git.write("cairn.yaml", CONFIG + "modules: tf\nbranch: release\n");
        assertThat(change().changed()).isEmpty();
        git.write("tf/vpc/main.tf", "# changed\n");
        assertThat(reasons(change())).isEqualTo(Map.of("dev", List.of("module tf/vpc changed")));
    }

    @Test
    void aSharedApplicationChangeChangesTheInfrastructuresItGoesTo() {
        git.write("applications/podinfo.yaml", """
                name: podinfo
                source: { repoURL: https://stefanprodan.github.io/podinfo, chart: podinfo, targetRevision: 6.8.0 }
                """);
        assertThat(reasons(change())).isEqualTo(Map.of("dev", List.of("application podinfo changed"),
                "prod", List.of("application podinfo changed")));
        base = git.commit("podinfo 6.8.0");

        // limited to prod: dev loses it, prod keeps the same application
        git.write("applications/podinfo.yaml", """
                name: podinfo
                infrastructures: [prod]
                source: { repoURL: https://stefanprodan.github.io/podinfo, chart: podinfo, targetRevision: 6.8.0 }
                """);
        var set = change();
        assertThat(reasons(set)).isEqualTo(Map.of("dev", List.of("application podinfo removed")));
        assertThat(set.unchanged()).containsExactly("prod");
    }

    @Test
    void sharedApplicationsReachOnlyInfrastructuresWithAddons() {
        git.write("infrastructures/prod.yaml", PROD.replace("  addons: { source: ./modules/addons }\n", ""));
        base = git.commit("prod without addons");
        git.write("applications/guestbook.yaml", "name: guestbook\nsource: { repoURL: https://github.com/argoproj/argocd-example-apps, path: guestbook }\n");
        var set = change();
        assertThat(reasons(set)).isEqualTo(Map.of("dev", List.of("application guestbook added")));
        assertThat(set.unchanged()).containsExactly("prod");
    }

    @Test
    void aSharedApplicationFileThatDoesNotParseReachesEveryInfrastructureWithAddons() {
        git.write("applications/broken.yaml", "name: [\n");
        assertThat(reasons(change())).isEqualTo(Map.of("dev", List.of("application broken added"), "prod", List.of("application broken added")));
        base = git.commit("broken application");
        git.write("README.md", "unrelated\n");
        assertThat(change().changed()).isEmpty();
    }

    @Test
    void theSameCommitTwiceChangesNothing() {
        var set = detector.between(git.repo(), base, base);
        assertThat(set.changed()).isEmpty();
        assertThat(set.deleted()).isEmpty();
        assertThat(set.unchanged()).containsExactly("dev", "prod");
    }

    @Test
    void aVariableASharedApplicationUsesCounts() {
        git.write("applications/podinfo.yaml", """
                name: podinfo
                infrastructures: [prod]
                source:
                  repoURL: https://stefanprodan.github.io/podinfo
                  chart: podinfo
                  helm: { values: { region: "{{ vars.region }}" } }
                """);
        base = git.commit("podinfo reads the region");
        git.write("cairn.yaml", CONFIG.replace("region: eu-west-1", "region: eu-central-1"));
        assertThat(reasons(change())).isEqualTo(Map.of("dev", List.of("variable region changed"), "prod", List.of("variable region changed")));
    }

    @Test
    void terraformSettingsChangeEveryInfrastructure() {
        git.write("cairn.yaml", CONFIG + "terraform: { parallelism: 2 }\n");
        assertThat(reasons(change())).isEqualTo(Map.of("dev", List.of("cairn.yaml terraform settings changed"),
                "prod", List.of("cairn.yaml terraform settings changed")));
    }

    @Test
    void movingTheInfrastructuresFolderWithItsManifestsIsNoChange() {
        git.move("infrastructures/dev.yaml", "envs/dev.yaml").move("infrastructures/prod.yaml", "envs/prod.yaml")
                .write("cairn.yaml", CONFIG + "infrastructures: envs\n");
        var set = change();
        assertThat(set.changed()).isEmpty();
        assertThat(set.deleted()).isEmpty();
        assertThat(set.unchanged()).containsExactly("dev", "prod");
    }

    @Test
    void pointingCairnYamlAtAnotherFolderReadsTheManifestsThere() {
        git.write("envs/qa.yaml", DEV.replace("name: dev", "name: qa")).write("cairn.yaml", CONFIG + "infrastructures: envs\n");
        var set = change();
        assertThat(set.changed()).containsExactly(new ChangeSet.Changed("qa", "envs/qa.yaml", List.of("new infrastructure")));
        assertThat(set.deleted()).containsExactly(new ChangeSet.Deleted("dev", "infrastructures/dev.yaml"),
                new ChangeSet.Deleted("prod", "infrastructures/prod.yaml"));
    }

    @Test
    void aManifestThatDoesNotParseIsChangedAndKeepsItsName() {
        git.write("infrastructures/prod.yaml", "apiVersion: cairn.dev/v1\nmetadata: { name: prod\nspec: [\n");
        var set = change();
        assertThat(set.changed()).containsExactly(new ChangeSet.Changed("prod", "infrastructures/prod.yaml", List.of("manifest changed")));
        assertThat(set.deleted()).isEmpty();
        assertThat(set.unchanged()).containsExactly("dev");

        // still broken at the next push: still reported, so the run shows the error again; fixed: changed
        base = git.commit("broken");
        assertThat(reasons(change()).keySet()).containsExactly("prod");
        git.write("infrastructures/prod.yaml", PROD);
        assertThat(reasons(change())).isEqualTo(Map.of("prod", List.of("manifest changed")));
    }

    @Test
    void manifestsThatParseButBreakTheSchemaAreComparedAsTheyAre() {
        git.write("infrastructures/empty.yaml", "").write("infrastructures/two.yaml", "a: 1\n---\nb: 2\n")
                .write("infrastructures/nameless.yaml", "apiVersion: cairn.dev/v1\nspec: 7\n");
        var set = change();
        assertThat(reasons(set)).isEqualTo(Map.of("empty", List.of("new infrastructure"), "two", List.of("new infrastructure"),
                "nameless", List.of("new infrastructure")));
        base = git.commit("odd files");
        git.write("infrastructures/nameless.yaml", "apiVersion: cairn.dev/v1\nspec: 8\n");
        assertThat(reasons(change())).isEqualTo(Map.of("empty", List.of("manifest changed"), "two", List.of("manifest changed"),
                "nameless", List.of("manifest changed")));
    }

    @Test
    void twoManifestsWithOneNameAreReportedForTheRunToReject() {
        git.write("infrastructures/dev-copy.yaml", DEV);
        assertThat(change().changed()).containsExactly(new ChangeSet.Changed("dev", "infrastructures/dev-copy.yaml", List.of("defined in 2 manifests")));
    }

    @Test
    void aBadCairnYamlAtTheNewCommitIsAClearError() {
        git.write("cairn.yaml", "apiVersion: cairn.dev/v1\nkind: Repository\nvariables: [\n");
        var after = git.commit("broken config");
        assertThatThrownBy(() -> detector.between(git.repo(), base, after))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("cairn.yaml:")
                .hasMessageContaining("yaml-syntax")
                .hasMessageContaining("at commit " + after.name().substring(0, 12));
        git.write("cairn.yaml", CONFIG.replace("variables:\n  org: acme\n  region: eu-west-1\n", "variables: 5\n"));
        var typed = git.commit("wrong type");
        assertThatThrownBy(() -> detector.between(git.repo(), base, typed)).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("cairn.yaml:");
        assertThatThrownBy(() -> detector.config(git.repo(), typed)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("bad-value");
    }

    @Test
    void fixingABadCairnYamlChangesEveryInfrastructure() {
        git.write("cairn.yaml", "apiVersion: [\n");
        var broken = git.commit("broken config");
        git.write("cairn.yaml", CONFIG);
        var set = detector.between(git.repo(), broken, git.commit("fixed"));
        assertThat(reasons(set)).isEqualTo(Map.of("dev", List.of("cairn.yaml changed (unreadable at the older commit)"),
                "prod", List.of("cairn.yaml changed (unreadable at the older commit)")));
    }

    @Test
    void foldersOutsideTheRepositoryAreRefused() {
        git.write("cairn.yaml", CONFIG + "infrastructures: ../../etc\n");
        var after = git.commit("escape");
        assertThatThrownBy(() -> detector.between(git.repo(), base, after)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("cairn.yaml:")
                .hasMessageContaining("`infrastructures: ../../etc` is not a folder inside the repository");
    }

    @Test
    void modulesOutsideTheRepositoryAreNeverLookedUp() {
        git.write("infrastructures/dev.yaml", DEV.replace("source: vpc", "source: ../../outside"));
        assertThat(reasons(change())).isEqualTo(Map.of("dev", List.of("manifest changed")));
    }

    @Test
    void symlinkedManifestsAreFollowedInsideTheRepositoryOnly() {
        git.write("shared/qa.yaml", DEV.replace("name: dev", "name: qa"))
                .symlink("infrastructures/qa.yaml", "../shared/qa.yaml")
                .symlink("infrastructures/stolen.yaml", "/cairn-test-outside/secret.yaml")
                .symlink("infrastructures/up.yaml", "../../../../outside.yaml");
        var links = git.commit("links");
        git.write("shared/qa.yaml", DEV.replace("name: dev", "name: qa") + "  tags: { a: b }\n").write("README.md", "x\n");
        var set = detector.between(git.repo(), links, git.commit("qa edited through its target"));
        // qa is read through its link; links that leave the repo are never read: unreadable manifests, always reported
        assertThat(reasons(set)).isEqualTo(Map.of("qa", List.of("manifest changed"),
                "stolen", List.of("manifest changed"), "up", List.of("manifest changed")));
        assertThat(set.unchanged()).containsExactly("dev", "prod");
    }

    @Test
    void aBareRepositoryIsEnough() {
        git.write("modules/db/main.tf", "resource \"terraform_data\" \"db2\" {}\n");
        var after = git.commit("db");
        try (var bare = git.bareClone(tmp.resolve("bare.git"))) {
            assertThat(bare.isBare()).isTrue();
            var set = detector.between(bare, base, after);
            assertThat(set.changed()).containsExactly(new ChangeSet.Changed("prod", "infrastructures/prod.yaml", List.of("module modules/db changed")));
            assertThat(set.unchanged()).containsExactly("dev");
            assertThat(detector.config(bare, after).branch()).isEqualTo("main");
        }
    }

    @Test
    void configReadsCairnYamlAtTheCommit() {
        assertThat(detector.config(git.repo(), base).variables()).containsEntry("region", "eu-west-1");
        git.write("cairn.yaml", CONFIG + "branch: release\n");
        var release = git.commit("track release");
        assertThat(detector.config(git.repo(), release).branch()).isEqualTo("release");
        assertThat(detector.config(git.repo(), base).branch()).isEqualTo("main");
        git.delete("cairn.yaml");
        assertThat(detector.config(git.repo(), git.commit("no config"))).isEqualTo(RepoConfig.DEFAULT);
    }

    @Test
    void aCommitThatIsNotInTheRepositoryIsAClearError() {
        var unknown = ObjectId.fromString("0123456789abcdef0123456789abcdef01234567");
        assertThatThrownBy(() -> detector.between(git.repo(), unknown, base)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commit " + unknown.name() + " is not in the repository");
    }
}
