package dev.cairn.reconciler.validate;

import dev.cairn.reconciler.RepoFiles;
import dev.cairn.reconciler.diag.Diagnostic;
import dev.cairn.reconciler.diag.Location;
import dev.cairn.reconciler.graph.StageCatalog;
import dev.cairn.reconciler.module.BuiltinModules;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.template.TemplateEngine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Every rule {@link RepositoryValidator} enforces, each on a small repo written to disk, checked
 * for its rule id, the exact file, line and column, and a hint that tells the user what to do.
 */
class ValidationRulesTest {
    @TempDir
    Path tmp;

    private Path repo;

    /** A repo every test starts from: cairn.yaml and three local modules (no manifests yet). */
    @BeforeEach
    void writeRepo() {
        repo = tmp.resolve("repo").toAbsolutePath().normalize();
        RepoFiles.write(repo, "cairn.yaml", """
                apiVersion: cairn.dev/v1
                kind: Repository
                """);
        RepoFiles.write(repo, "modules/network/main.tf", """
                variable "name" {}
                variable "cidr" {}
                output "vpc_id" { value = "vpc-1" }
                output "private_subnet_ids" { value = [] }
                """);
        RepoFiles.write(repo, "modules/app/main.tf", """
                variable "vpc_id" {}
                variable "subnet_ids" {}
                variable "label" {}
                output "endpoint" { value = "x" }
                """);
        RepoFiles.write(repo, "modules/other/main.tf", """
                variable "x" {}
                output "out" { value = "x" }
                """);
    }

    private List<Diagnostic> validate(Path root) {
        var validator = new RepositoryValidator(new StageCatalog(
                new ModuleFetcher(tmp.resolve("git"), BuiltinModules.discover()), new TemplateEngine()));
        return validator.validate(root).diagnostics();
    }

    private List<Diagnostic> validate() {
        return validate(repo);
    }

    private Path manifest(String name, String text) {
        return RepoFiles.write(repo, "infrastructures/" + name + ".yaml", text);
    }

    /** The one diagnostic of the run, checked for rule, file, line, column and a hint. */
    private Diagnostic single(String rule, Path file, int line, int column) {
        var diagnostics = validate();
        assertThat(diagnostics).as("diagnostics").hasSize(1);
        var d = diagnostics.get(0);
        assertAt(d, rule, file, line, column);
        return d;
    }

    private static void assertAt(Diagnostic d, String rule, Path file, int line, int column) {
        assertThat(d.rule()).as("rule of %s", d).isEqualTo(rule);
        assertThat(d.location()).as("location of %s", d).isEqualTo(new Location(file.toString(), line, column));
        assertThat(d.hint()).as("hint of %s", d).isNotBlank();
        assertThat(d.message()).as("message of %s", d).isNotBlank();
    }

    private static final String VALID = """
            apiVersion: cairn.dev/v1
            kind: Infrastructure
            metadata:
              name: dev
            spec:
              variables:
                size: small
              network:
                source: ./modules/network
                cidr: 10.0.0.0/16
              modules:
                - name: app
                  source: ./modules/app
                  inputs:
                    vpc_id: "{{ outputs.network.vpc_id }}"
                    subnet_ids: "{{ outputs.network.private_subnet_ids }}"
                    label: "{{ infra.name }}-{{ vars.size }}"
            """;

    // ------------------------------------------------------------------ valid repos

    /**
     * A run of one infrastructure checks the shared files, its manifest and the rules across
     * manifests; another manifest's own problems are for {@code cairn validate}, not this run.
     */
    @Test
    void aRunOfOneInfrastructureIsNotStoppedByAnotherManifestsProblemsButItsOwnAndSharedOnesStopIt() {
        manifest("dev", VALID);
        var prod = manifest("prod", VALID.replace("name: dev", "name: prod").replace("cidr: 10.0.0.0/16", "cidr: 10.0.0.1/16")
                .replace("{{ vars.size }}", "{{ vars.sise }}"));
        var validator = new RepositoryValidator(new StageCatalog(
                new ModuleFetcher(tmp.resolve("git"), BuiltinModules.discover()), new TemplateEngine()));

        assertThat(validator.validate(repo).diagnostics()).extracting(d -> d.location().file()).containsOnly(prod.toString()).hasSize(2);
        assertThat(validator.validate(repo, "prod").diagnostics()).hasSize(2);
        assertThat(validator.validate(repo, "dev").diagnostics()).isEmpty();
        assertThat(validator.validate(repo, "dev").repo().infrastructure("dev")).isPresent();

        // a shared file's problem stops every run
        RepoFiles.write(repo, "cairn.yaml", """
                apiVersion: cairn.dev/v1
                kind: Repository
                terraform:
                  parallelism: 0
                """);
        assertThat(validator.validate(repo, "dev").diagnostics()).extracting(d -> d.location().file())
                .containsOnly(repo.resolve("cairn.yaml").toString());
    }

    @Test
    void aStateKeySharedWithTheRunsInfrastructureStopsItWhicheverManifestTheReportPointsAt() {
        var s3 = VALID.replace("spec:\n", "spec:\n  state:\n    type: s3\n    bucket: acme-state\n    keyPrefix: shared\n");
        manifest("a-dev", s3);
        manifest("b-prod", s3.replace("name: dev", "name: prod"));
        manifest("c-qa", VALID.replace("name: dev", "name: qa"));
        var validator = new RepositoryValidator(new StageCatalog(
                new ModuleFetcher(tmp.resolve("git"), BuiltinModules.discover()), new TemplateEngine()));

        assertThat(validator.validate(repo, "dev").diagnostics()).extracting(Diagnostic::rule).containsExactly("duplicate-state-key");
        assertThat(validator.validate(repo, "prod").diagnostics()).extracting(Diagnostic::rule).containsExactly("duplicate-state-key");
        assertThat(validator.validate(repo, "qa").diagnostics()).isEmpty();
    }


    @Test
    void validRepoHasNoDiagnostics() {
        manifest("dev", VALID);

        assertThat(validate()).isEmpty();
    }

    @Test
    void quickstartExampleHasNoDiagnostics() {
        var quickstart = RepoFiles.copyQuickstart(tmp.resolve("quickstart"));

        var diagnostics = validate(quickstart);

        assertThat(diagnostics).isEmpty();
    }

    // ------------------------------------------------------------------ YAML

    @Nested
    class Yaml {
        @Test
        void brokenYamlIsYamlSyntaxAtTheOffendingCharacter() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev: x
                    """);

            var d = single("yaml-syntax", file, 4, 12);
            assertThat(d.message()).contains("mapping values are not allowed");
        }

        @Test
        void fileWithOnlyCommentsIsYamlEmpty() {
            var file = manifest("dev", "# nothing here yet\n");

            var d = single("yaml-empty", file, 1, 1);
            assertThat(d.hint()).contains("apiVersion: cairn.dev/v1");
        }

        @Test
        void secondDocumentIsYamlMultipleDocumentsAtItsStart() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    ---
                    apiVersion: cairn.dev/v1
                    """);

            var d = single("yaml-multiple-documents", file, 6, 1);
            assertThat(d.hint()).contains("---");
        }

        @Test
        void repeatedKeyIsDuplicateKeyAtTheSecondOccurrence() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                      name: prod
                    """);

            var d = single("duplicate-key", file, 5, 3);
            assertThat(d.message()).contains("`name`").contains("first at line 4");
        }
    }

    // ------------------------------------------------------------------ schema

    @Nested
    class Schema {
        @Test
        void misspelledKeyIsUnknownKeyAtTheKeyWithDidYouMean() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      network:
                        source: ./modules/network
                        cidr: 10.0.0.0/16
                        natGatway: single
                    """);

            var d = single("unknown-key", file, 9, 5);
            assertThat(d.message()).contains("`natGatway`").contains("spec.network");
            assertThat(d.hint()).isEqualTo("did you mean `natGateway`?");
        }

        @Test
        void unrelatedUnknownKeyListsTheAllowedKeys() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                      zzzzzzzzzz: 1
                    spec: {}
                    """);

            var d = single("unknown-key", file, 5, 3);
            assertThat(d.hint()).contains("allowed keys:").contains("name").contains("labels");
        }

        @Test
        void missingRequiredKeyIsMissingKeyAtTheMappingThatLacksIt() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      description: no name
                    spec: {}
                    """);

            var d = single("missing-key", file, 4, 3);
            assertThat(d.message()).contains("`metadata`").contains("`name`");
            assertThat(d.hint()).startsWith("add `name:`");
        }

        @Test
        void moduleWithoutSourceIsMissingKeyAtTheListItem() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      modules:
                        - name: app
                          dependsOn: []
                    """);

            var d = single("missing-key", file, 7, 7);
            assertThat(d.message()).contains("`source`");
        }

        @Test
        void scalarWhereAListBelongsIsWrongType() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      network:
                        source: ./modules/network
                        azs: eu-west-1a
                    """);

            var d = single("wrong-type", file, 8, 10);
            assertThat(d.message()).contains("spec.network.azs").contains("a string").contains("expected a list");
        }

        @Test
        void unquotedVersionNumberIsWrongTypeWithAQuotingHint() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      kubernetes:
                        kubernetesVersion: 1.31
                    """);

            var d = single("wrong-type", file, 7, 24);
            assertThat(d.hint()).contains("\"1.31\"");
        }

        @Test
        void valueOutsideTheEnumIsBadValueListingTheChoices() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      network:
                        source: ./modules/network
                        natGateway: sometimes
                    """);

            var d = single("bad-value", file, 8, 17);
            assertThat(d.message()).contains("spec.network.natGateway").contains("sometimes");
            assertThat(d.hint()).contains("none").contains("single").contains("per_az");
        }

        @Test
        void wrongApiVersionIsBadValueNamingTheOnlyAllowedValue() {
            var file = manifest("dev", """
                    apiVersion: v2
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec: {}
                    """);

            var d = single("bad-value", file, 1, 13);
            assertThat(d.message()).contains("apiVersion").contains("v2");
            assertThat(d.hint()).contains("cairn.dev/v1");
        }

        @Test
        void infrastructureNameWithCapitalsAndUnderscoreIsBadFormat() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: Dev_1
                    spec: {}
                    """);

            var d = single("bad-format", file, 4, 9);
            assertThat(d.message()).contains("metadata.name").contains("Dev_1");
            assertThat(d.hint()).contains("Lowercase letters");
        }

        @Test
        void moduleNameThatCannotBeUsedInTemplatesIsBadFormat() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      modules:
                        - name: App-DB
                          source: ./modules/app
                    """);

            var d = single("bad-format", file, 7, 13);
            assertThat(d.message()).contains("spec.modules.0.name").contains("App-DB");
            assertThat(d.hint()).contains("outputs.NAME.output");
        }
    }

    // ------------------------------------------------------------------ CIDR

    @Nested
    class Cidr {
        private Path withCidr(String cidr) {
            return manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      network:
                        source: ./modules/network
                        cidr: %s
                    """.formatted(cidr));
        }

        @Test
        void octetAbove255IsNotAnIpv4Network() {
            var file = withCidr("10.0.300.0/16");

            var d = single("cidr", file, 8, 11);
            assertThat(d.message()).contains("300 is not an octet");
        }

        @Test
        void prefixOutsideSixteenToTwentyEightIsRejected() {
            var file = withCidr("10.0.0.0/8");

            var d = single("cidr", file, 8, 11);
            assertThat(d.message()).contains("/16 and /28");
            assertThat(d.hint()).contains("10.0.0.0/16");
        }

        @Test
        void hostBitsSetSuggestsTheNetworkAddress() {
            var file = withCidr("10.0.1.0/16");

            var d = single("cidr", file, 8, 11);
            assertThat(d.message()).contains("host bits");
            assertThat(d.hint()).isEqualTo("did you mean `10.0.0.0/16`?");
        }

        @Test
        void boundaryPrefixesAreAccepted() {
            withCidr("10.0.0.0/16");
            assertThat(validate()).isEmpty();
            withCidr("192.168.10.16/28");
            assertThat(validate()).isEmpty();
        }
    }

    // ------------------------------------------------------------------ duplicates

    @Nested
    class Duplicates {
        @Test
        void twoFilesWithTheSameNameAreDuplicateInfrastructureInTheSecondFile() {
            manifest("a", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec: {}
                    """);
            var second = manifest("b", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      description: the same name again
                      name: dev
                    spec: {}
                    """);

            var d = single("duplicate-infrastructure", second, 5, 9);
            assertThat(d.message()).contains("`dev`").contains("a.yaml");
        }

        @Test
        void moduleNamedLikeABuiltinStageIsDuplicateStage() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      network:
                        source: ./modules/network
                      modules:
                        - name: network
                          source: ./modules/other
                    """);

            var d = single("duplicate-stage", file, 9, 13);
            assertThat(d.message()).contains("`network`").contains("built-in stage name");
        }

        @Test
        void moduleNamedLikeADisabledBuiltinStageIsStillDuplicateStage() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      modules:
                        - name: domain
                          source: ./modules/other
                    """);

            var d = single("duplicate-stage", file, 7, 13);
            assertThat(d.message()).contains("built-in stage name");
        }

        @Test
        void twoModulesWithTheSameNameAreDuplicateStageAtTheSecond() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      modules:
                        - name: app
                          source: ./modules/other
                        - name: app
                          source: ./modules/other
                    """);

            var d = single("duplicate-stage", file, 9, 13);
            assertThat(d.message()).contains("`app` is defined twice");
        }
    }

    // ------------------------------------------------------------------ module sources

    @Nested
    class ModuleSources {
        @Test
        void sourceInNoKnownFormIsModuleSource() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      modules:
                        - name: app
                          source: git@github.com:acme/app.git
                    """);

            var d = single("module-source", file, 8, 15);
            assertThat(d.message()).contains("git@github.com:acme/app.git");
            assertThat(d.hint()).contains("git::URL");
        }

        @Test
        void missingLocalFolderIsModuleNotFound() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      modules:
                        - name: app
                          source: ./modules/missing
                    """);

            var d = single("module-not-found", file, 8, 15);
            assertThat(d.message()).contains(repo.resolve("modules/missing").toString());
        }

        @Test
        void missingBareModuleNameIsModuleNotFound() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      modules:
                        - name: app
                          source: nothing-here
                    """);

            single("module-not-found", file, 8, 15);
        }

        @Test
        void missingBuiltinModuleIsModuleNotFound() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      network:
                        source: cairn://aws/nowhere
                    """);

            var d = single("module-not-found", file, 7, 13);
            assertThat(d.message()).contains("cairn://aws/nowhere");
        }
    }

    // ------------------------------------------------------------------ dependencies

    @Nested
    class Dependencies {
        @Test
        void dependsOnAMisspelledStageIsUnknownDependencyWithDidYouMean() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      network:
                        source: ./modules/network
                      modules:
                        - name: app
                          source: ./modules/other
                          dependsOn: [backend, netwrk]
                    """);

            var diagnostics = validate();

            assertThat(diagnostics).hasSize(2);
            assertAt(diagnostics.get(0), "unknown-dependency", file, 11, 19);
            assertAt(diagnostics.get(1), "unknown-dependency", file, 11, 28);
            assertThat(diagnostics.get(0).hint()).isEqualTo("stages here: network, app");
            assertThat(diagnostics.get(1).message()).contains("`app` depends on `netwrk`");
            assertThat(diagnostics.get(1).hint()).isEqualTo("did you mean `network`?");
        }

        @Test
        void dependsOnCycleIsDependencyCycleWithThePath() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      modules:
                        - name: a
                          source: ./modules/other
                          dependsOn: [b]
                        - name: b
                          source: ./modules/other
                          dependsOn: [a]
                    """);

            var d = single("dependency-cycle", file, 7, 7);
            assertThat(d.message()).contains("a → b → a");
        }

        @Test
        void cycleMadeOnlyByOutputsReferencesIsDependencyCycle() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      modules:
                        - name: a
                          source: ./modules/other
                          inputs:
                            x: "{{ outputs.b.out }}"
                        - name: b
                          source: ./modules/other
                          inputs:
                            x: "prefix-{{ outputs.a.out }}"
                    """);

            var d = single("dependency-cycle", file, 7, 7);
            assertThat(d.message()).contains("a → b → a");
        }

        @Test
        void stageUsingItsOwnOutputsIsSelfReference() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      modules:
                        - name: a
                          source: ./modules/other
                          inputs:
                            x: "{{ outputs.a.out }}"
                    """);

            var d = single("self-reference", file, 7, 7);
            assertThat(d.message()).contains("`a`");
        }
    }

    // ------------------------------------------------------------------ references and inputs

    @Nested
    class References {
        private Path withAppInput(String value) {
            return manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      variables:
                        size: small
                      network:
                        source: ./modules/network
                      modules:
                        - name: app
                          source: ./modules/app
                          inputs:
                            label: "%s"
                    """.formatted(value));
        }

        @Test
        void referenceToAMissingStageIsUnknownReferenceWithDidYouMean() {
            var file = withAppInput("{{ outputs.netwrk.vpc_id }}");

            var d = single("unknown-reference", file, 14, 16);
            assertThat(d.message()).contains("stage `app`").contains("stage `netwrk` does not exist");
            assertThat(d.hint()).isEqualTo("did you mean `outputs.network`?");
        }

        @Test
        void referenceToAMissingOutputOfAKnownModuleIsUnknownReference() {
            var file = withAppInput("{{ outputs.network.vpc_idd }}");

            var d = single("unknown-reference", file, 14, 16);
            assertThat(d.message()).contains("stage `network` has no output `vpc_idd`");
            assertThat(d.hint()).isEqualTo("did you mean `outputs.network.vpc_id`?");
        }

        @Test
        void referenceToAnUndefinedVariableIsUnknownReference() {
            var file = withAppInput("db-{{ vars.nope }}");

            var d = single("unknown-reference", file, 14, 16);
            assertThat(d.message()).contains("variable `nope` is not defined");
        }

        @Test
        void referenceToAMissingSpecPathIsUnknownReference() {
            var file = withAppInput("{{ spec.nothing.here }}");

            var d = single("unknown-reference", file, 14, 16);
            assertThat(d.message()).contains("spec.nothing");
        }

        @Test
        void referenceWithAnUnknownRootIsUnknownReference() {
            var file = withAppInput("{{ foo.bar }}");

            var d = single("unknown-reference", file, 14, 16);
            assertThat(d.message()).contains("`foo` is not defined");
            assertThat(d.hint()).contains("outputs.STAGE.OUTPUT");
        }

        @Test
        void unclosedExpressionIsTemplateSyntax() {
            var file = withAppInput("{{ outputs.network.vpc_id ");

            var d = single("template-syntax", file, 14, 16);
            assertThat(d.message()).contains("stage `app`").contains("does not parse");
        }

        @Test
        void unknownReferenceInABuiltinStageSettingPointsAtTheSetting() {
            RepoFiles.write(repo, "modules/domain/main.tf", """
                    variable "domain_name" {}
                    variable "zone_id" {}
                    output "zone_id" { value = "Z1" }
                    """);
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      domain:
                        source: ./modules/domain
                        domainName: dev.acme.example
                        zoneId: "{{ vars.zone }}"
                    """);

            var d = single("unknown-reference", file, 9, 13);
            assertThat(d.message()).contains("stage `domain`").contains("variable `zone` is not defined");
        }

        @Test
        void unknownReferenceInANestedInputPointsAtTheTopLevelInputsValue() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      modules:
                        - name: app
                          source: ./modules/app
                          inputs:
                            label:
                              name: ok
                              size: "{{ vars.size }}"
                    """);

            var d = single("unknown-reference", file, 11, 11);
            assertThat(d.message()).contains("variable `size` is not defined");
            assertThat(d.hint()).contains("variables");
        }

        @Test
        void inputTheLocalModuleDoesNotDeclareIsUnknownInput() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      modules:
                        - name: app
                          source: ./modules/app
                          inputs:
                            labl: x
                    """);

            var d = single("unknown-input", file, 10, 15);
            assertThat(d.message()).contains("has no variable `labl`");
            assertThat(d.hint()).isEqualTo("did you mean `label`?");
        }

        @Test
        void unrelatedUnknownInputListsTheDeclaredVariables() {
            var file = manifest("dev", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: dev
                    spec:
                      modules:
                        - name: app
                          source: ./modules/app
                          inputs:
                            completely_different: x
                    """);

            var d = single("unknown-input", file, 10, 31);
            assertThat(d.hint()).isEqualTo("declared variables: label, subnet_ids, vpc_id");
        }
    }

    // ------------------------------------------------------------------ repo layout and cairn.yaml

    @Nested
    class RepoLayout {
        @Test
        void repoWithoutTheInfrastructuresFolderIsNoInfrastructures() {
            single("no-infrastructures", repo.resolve("cairn.yaml"), 1, 1);
        }

        @Test
        void folderThatDoesNotExistIsRepoNotFound() {
            var missing = tmp.resolve("no-such-repo").toAbsolutePath().normalize();

            var diagnostics = validate(missing);

            assertThat(diagnostics).hasSize(1);
            assertAt(diagnostics.get(0), "repo-not-found", missing, 1, 1);
        }

        @Test
        void unknownKeyInCairnYamlIsUnknownKeyThere() {
            manifest("dev", VALID);
            var config = RepoFiles.write(repo, "cairn.yaml", """
                    apiVersion: cairn.dev/v1
                    kind: Repository
                    brnach: main
                    """);

            var d = single("unknown-key", config, 3, 1);
            assertThat(d.hint()).isEqualTo("did you mean `branch`?");
        }

        @Test
        void badValueInDefaultsPointsIntoCairnYaml() {
            manifest("dev", VALID);
            var config = RepoFiles.write(repo, "cairn.yaml", """
                    apiVersion: cairn.dev/v1
                    kind: Repository
                    defaults:
                      tags:
                        team: platform
                      network:
                        natGateway: sometimes
                    """);

            var d = single("bad-value", config, 7, 17);
            assertThat(d.message()).contains("sometimes");
            assertThat(d.hint()).contains("per_az");
        }

        @Test
        void unknownKeyInDefaultsPointsIntoCairnYamlAtTheKey() {
            manifest("dev", VALID);
            var config = RepoFiles.write(repo, "cairn.yaml", """
                    apiVersion: cairn.dev/v1
                    kind: Repository
                    defaults:
                      network:
                        natGatway: single
                    """);

            var d = single("unknown-key", config, 5, 5);
            assertThat(d.hint()).isEqualTo("did you mean `natGateway`?");
        }

        @Test
        void cidrWithHostBitsInDefaultsIsReportedOnceInCairnYaml() {
            manifest("dev", VALID.replace("    cidr: 10.0.0.0/16\n", ""));
            manifest("prod", VALID.replace("name: dev", "name: prod").replace("    cidr: 10.0.0.0/16\n", ""));
            var config = RepoFiles.write(repo, "cairn.yaml", """
                    apiVersion: cairn.dev/v1
                    kind: Repository
                    defaults:
                      network:
                        cidr: 10.0.1.0/16
                    """);

            var d = single("cidr", config, 5, 11);
            assertThat(d.hint()).isEqualTo("did you mean `10.0.0.0/16`?");
        }

        @Test
        void malformedCidrInDefaultsIsBadFormatInCairnYamlNotACrash() {
            manifest("dev", VALID.replace("    cidr: 10.0.0.0/16\n", ""));
            var config = RepoFiles.write(repo, "cairn.yaml", """
                    apiVersion: cairn.dev/v1
                    kind: Repository
                    defaults:
                      network:
                        cidr: 10.0.0.0
                    """);

            var d = single("bad-format", config, 5, 11);
            assertThat(d.hint()).contains("10.0.0.0/16");
        }

        @Test
        void cidrInTheManifestOverridesTheDefaultsAndIsCheckedThere() {
            var file = manifest("dev", VALID.replace("cidr: 10.0.0.0/16", "cidr: 10.0.0.0/8"));
            RepoFiles.write(repo, "cairn.yaml", """
                    apiVersion: cairn.dev/v1
                    kind: Repository
                    defaults:
                      network:
                        cidr: 10.1.0.0/16
                    """);

            single("cidr", file, 10, 11);
        }

        @Test
        void wrongTypeInCairnYamlIsWrongTypeThere() {
            manifest("dev", VALID);
            var config = RepoFiles.write(repo, "cairn.yaml", """
                    apiVersion: cairn.dev/v1
                    kind: Repository
                    terraform:
                      parallelism: many
                    """);

            single("wrong-type", config, 4, 16);
        }
    }

    // ------------------------------------------------------------------ reporting

    @Test
    void problemsInSeveralFilesAreAllReportedSortedByFileAndLine() {
        var config = RepoFiles.write(repo, "cairn.yaml", """
                apiVersion: cairn.dev/v1
                kind: Repository
                brnach: main
                """);
        var a = manifest("a", """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: a
                spec:
                  network:
                    natGateway: sometimes
                    azs: eu-west-1a
                  domian: {}
                """);
        var b = manifest("b", """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: b
                spec:
                  network:
                    source: ./modules/network
                    cidr: 10.1.2.0/16
                  modules:
                    - name: app
                      source: ./modules/missing
                      dependsOn: [netwrk]
                """);
        var c = manifest("c", "# empty\n");

        var diagnostics = validate();

        assertThat(diagnostics).extracting(d -> d.location().file(), d -> d.location().line(), d -> d.location().column(), Diagnostic::rule)
                .containsExactly(
                        tuple(config.toString(), 3, 1, "unknown-key"),
                        tuple(a.toString(), 7, 17, "bad-value"),
                        tuple(a.toString(), 8, 10, "wrong-type"),
                        tuple(a.toString(), 9, 3, "unknown-key"),
                        tuple(b.toString(), 8, 11, "cidr"),
                        tuple(b.toString(), 11, 15, "module-not-found"),
                        tuple(b.toString(), 12, 19, "unknown-dependency"),
                        tuple(c.toString(), 1, 1, "yaml-empty"));
        assertThat(diagnostics).allSatisfy(d -> assertThat(d.hint()).isNotBlank());
    }

    @Test
    void validationReportIsOkOnlyWithoutDiagnostics() {
        manifest("dev", VALID);
        var validator = new RepositoryValidator(new StageCatalog(
                new ModuleFetcher(tmp.resolve("git"), BuiltinModules.discover()), new TemplateEngine()));

        assertThat(validator.validate(repo).ok()).isTrue();
        manifest("prod", "# empty\n");
        assertThat(validator.validate(repo).ok()).isFalse();
    }

    @Test
    void diagnosticFormatIsFileLineColumnRuleMessageAndIndentedHint() {
        var d = new Diagnostic(new Location("infrastructures/dev.yaml", 9, 5), "unknown-key",
                "unknown key `natGatway` in `spec.network`", "did you mean `natGateway`?");

        assertThat(d.format()).isEqualTo("""
                infrastructures/dev.yaml:9:5: unknown-key: unknown key `natGatway` in `spec.network`
                    hint: did you mean `natGateway`?""");
        assertThat(d.toString()).isEqualTo(d.format());
    }

    @Test
    void diagnosticFormatLeavesOutAnEmptyHint() {
        var location = new Location("cairn.yaml", 1, 1);

        assertThat(new Diagnostic(location, "r", "m", null).format()).isEqualTo("cairn.yaml:1:1: r: m");
        assertThat(new Diagnostic(location, "r", "m", " ").format()).isEqualTo("cairn.yaml:1:1: r: m");
    }

    @Test
    void reportedDiagnosticFormatsWithTheAbsoluteFilePath() {
        var file = manifest("dev", """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: dev
                spec:
                  network:
                    source: ./modules/network
                    natGatway: single
                """);

        var d = single("unknown-key", file, 8, 5);

        assertThat(d.format()).isEqualTo(file + ":8:5: unknown-key: unknown key `natGatway` in `spec.network`\n"
                + "    hint: did you mean `natGateway`?");
    }
}
