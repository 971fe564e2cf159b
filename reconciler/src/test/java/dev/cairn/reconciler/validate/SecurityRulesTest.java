package dev.cairn.reconciler.validate;

import dev.cairn.reconciler.RepoFiles;
import dev.cairn.reconciler.diag.Diagnostic;
import dev.cairn.reconciler.diag.Location;
import dev.cairn.reconciler.graph.StageCatalog;
import dev.cairn.reconciler.module.BuiltinModules;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.template.TemplateEngine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Validation rules that stop a hostile or careless repo before anything runs (issue 12): each
 * reported at the file, line and column of the offending value.
 */
class SecurityRulesTest {
    @TempDir
    Path tmp;

    private Path repo;

    @BeforeEach
    void writeRepo() {
        repo = tmp.resolve("repo").toAbsolutePath().normalize();
        RepoFiles.write(repo, "cairn.yaml", """
                apiVersion: cairn.dev/v1
                kind: Repository
                """);
        RepoFiles.write(repo, "modules/app/main.tf", """
                variable "label" {}
                output "endpoint" { value = "x" }
                """);
    }

    private List<Diagnostic> validate(boolean allowHttp) {
        var validator = new RepositoryValidator(new StageCatalog(
                new ModuleFetcher(tmp.resolve("git"), BuiltinModules.discover(), allowHttp), new TemplateEngine()));
        return validator.validate(repo).diagnostics();
    }

    private List<Diagnostic> validate() {
        return validate(false);
    }

    private Path manifest(String name, String text) {
        return RepoFiles.write(repo, "infrastructures/" + name + ".yaml", text);
    }

    private static void assertAt(Diagnostic d, String rule, Path file, int line, int column) {
        assertThat(d.rule()).as("rule of %s", d).isEqualTo(rule);
        assertThat(d.location()).as("location of %s", d).isEqualTo(new Location(file.toString(), line, column));
        assertThat(d.hint()).as("hint of %s", d).isNotBlank();
    }

    @Test
    void aPlainHttpGitSourceIsAnErrorUnlessAllowed() {
        var file = manifest("dev", """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: dev
                spec:
                  modules:
                    - name: app
                      source: git::http://git.example.com/acme/modules.git//app?ref=v1
                """);

        var diagnostics = validate();

        assertThat(diagnostics).hasSize(1);
        assertAt(diagnostics.get(0), "insecure-module-source", file, 8, 15);
        assertThat(diagnostics.get(0).hint()).contains(ModuleFetcher.ALLOW_HTTP_ENV + "=true");
        assertThat(validate(true)).isEmpty();
    }

    @Test
    void aLocalSourceOutsideTheRepoIsAnError() throws Exception {
        RepoFiles.write(tmp, "outside/main.tf", "variable \"label\" {}\n");
        java.nio.file.Files.createSymbolicLink(repo.resolve("modules/linked"), tmp.resolve("outside"));
        var file = manifest("dev", """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: dev
                spec:
                  modules:
                    - name: a
                      source: ../outside
                    - name: b
                      source: %s
                    - name: c
                      source: linked
                """.formatted(tmp.resolve("outside")));

        var diagnostics = validate();

        assertThat(diagnostics).hasSize(3);
        assertAt(diagnostics.get(0), "module-source", file, 8, 15);
        assertAt(diagnostics.get(1), "module-source", file, 10, 15);
        assertAt(diagnostics.get(2), "module-source", file, 12, 15);
        assertThat(diagnostics).allSatisfy(d -> assertThat(d.message()).contains("is outside the repo"));
    }

    @Test
    void aSymlinkedModuleFileIsNeverReadAndASymlinkedManifestIsRefused() throws Exception {
        var secret = RepoFiles.write(tmp, "home/.aws/credentials", "variable \"stolen_AKIASECRETKEY1234\" {}\n");
        java.nio.file.Files.createSymbolicLink(repo.resolve("modules/app/creds.tf"), secret);
        var linked = repo.resolve("infrastructures/prod.yaml");
        manifest("dev", """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: dev
                spec:
                  modules:
                    - name: app
                      source: ./modules/app
                      inputs:
                        stolen_AKIASECRETKEY1234: x
                """);
        java.nio.file.Files.createSymbolicLink(linked, secret);

        var diagnostics = validate();

        // the linked module file was not read: its variable does not exist; the linked manifest is refused unread
        assertThat(diagnostics).extracting(Diagnostic::rule).containsExactlyInAnyOrder("file-symlink", "unknown-input");
        assertThat(diagnostics).filteredOn(d -> d.rule().equals("file-symlink")).singleElement()
                .satisfies(d -> assertThat(d.location()).isEqualTo(Location.file(linked)));
        assertThat(diagnostics).allSatisfy(d -> assertThat(d.format()).doesNotContain("variable \"stolen"));
    }

    @Test
    void aHugeTemplateLoopIsAValidationErrorFoundFast() {
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
                        label: "{% for i in range(0, 300000000) %}{{ i }}{% endfor %}"
                    - name: b
                      source: ./modules/app
                      inputs:
                        label: "{% for i in 0..9000 %}{% for j in 0..9000 %}x{% endfor %}{% endfor %}"
                    - name: c
                      source: ./modules/app
                      inputs:
                        label: "{% for i in 0..9000 %}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{{ infra.name }}{% endfor %}"
                    - name: d
                      source: ./modules/app
                      inputs:
                        label: "{% for i in 0..20 %}{{ i }}{% endfor %}"
                """);

        var started = System.nanoTime();
        var diagnostics = validate();
        var seconds = (System.nanoTime() - started) / 1e9;

        assertThat(seconds).as("validation time").isLessThan(10);
        assertThat(diagnostics).hasSize(3);
        assertAt(diagnostics.get(0), "template-too-large", file, 10, 16);
        assertAt(diagnostics.get(1), "template-too-large", file, 14, 16);
        assertAt(diagnostics.get(2), "template-too-large", file, 18, 16);
        assertThat(diagnostics.get(0).message()).contains("300000001 elements");
        assertThat(diagnostics.get(2).message()).contains("renders more than");
    }

    @Test
    void twoInfrastructuresCannotShareAnS3StateKeyPrefix() {
        var s3 = """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: %s
                spec:
                  state:
                    type: s3
                    bucket: acme-state
                    keyPrefix: %s
                  modules:
                    - name: app
                      source: ./modules/app
                      inputs:
                        label: x
                """;
        manifest("a-prod", s3.formatted("prod", "prod"));
        var copy = manifest("b-copy", s3.formatted("staging", "prod/"));
        var byName = manifest("c-byname", s3.formatted("qa", "staging-qa"));
        var defaulted = manifest("d-default", s3.formatted("staging-qa", "x").replace("    keyPrefix: x\n", ""));

        var diagnostics = validate();

        assertThat(diagnostics).hasSize(2);
        assertAt(diagnostics.get(0), "duplicate-state-key", copy, 9, 16);
        assertThat(diagnostics.get(0).message()).contains("`prod` and `staging`");
        assertAt(diagnostics.get(1), "duplicate-state-key", defaulted, 4, 9);
        assertThat(diagnostics.get(1).message()).contains("`qa` and `staging-qa`");
        assertThat(byName).exists();
    }
}
