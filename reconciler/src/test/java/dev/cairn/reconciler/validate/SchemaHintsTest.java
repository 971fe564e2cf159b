package dev.cairn.reconciler.validate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.reconciler.RepoFiles;
import dev.cairn.reconciler.diag.Diagnostic;
import dev.cairn.reconciler.graph.StageCatalog;
import dev.cairn.reconciler.manifest.Json;
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
 * Hints that carry what the schema says (a missing key's description), and which of two manifests
 * sharing an S3 state prefix is blamed: the one whose file comes later, whatever the names.
 */
class SchemaHintsTest {
    @TempDir
    Path tmp;

    private Path repo;

    @BeforeEach
    void writeRepo() {
        repo = tmp.resolve("repo").toAbsolutePath().normalize();
        RepoFiles.write(repo, "cairn.yaml", "apiVersion: cairn.dev/v1\nkind: Repository\n");
        RepoFiles.write(repo, "modules/app/main.tf", "variable \"label\" {}\noutput \"endpoint\" { value = \"x\" }\n");
    }

    private List<Diagnostic> validate() {
        return new RepositoryValidator(new StageCatalog(new ModuleFetcher(tmp.resolve("git"), BuiltinModules.discover()),
                new TemplateEngine())).validate(repo).diagnostics();
    }

    @Test
    void aMissingKeyWithADescriptionInTheSchemaQuotesItInTheHint() throws Exception {
        RepoFiles.write(repo, "infrastructures/dev.yaml", """
                kind: Infrastructure
                metadata:
                  name: dev
                spec: {}
                """);
        JsonNode schema = Json.MAPPER.readTree(RepoFiles.checkoutRoot().resolve("schema/infrastructure.schema.json").toFile());
        var description = schema.at("/properties/apiVersion/description").asText();
        assertThat(description).isNotEmpty();

        var diagnostics = validate();

        assertThat(diagnostics).singleElement().satisfies(d -> {
            assertThat(d.rule()).isEqualTo("missing-key");
            assertThat(d.hint()).isEqualTo("add `apiVersion:` (" + description + ")");
        });
    }

    @Test
    void aMissingKeyWithoutADescriptionGetsNoEmptyParentheses() {
        RepoFiles.write(repo, "infrastructures/dev.yaml", """
                apiVersion: cairn.dev/v1
                metadata:
                  name: dev
                spec: {}
                """);

        assertThat(validate()).singleElement().satisfies(d -> assertThat(d.hint()).isEqualTo("add `kind:`"));
    }

    @Test
    void ofTwoManifestsSharingAStatePrefixTheLaterFileIsBlamed() {
        var s3 = """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: %s
                spec:
                  state:
                    type: s3
                    bucket: acme-state
                    keyPrefix: shared
                  modules:
                    - name: app
                      source: ./modules/app
                      inputs:
                        label: x
                """;
        // names sort the other way round from their files
        RepoFiles.write(repo, "infrastructures/a-first.yaml", s3.formatted("zeta"));
        var later = RepoFiles.write(repo, "infrastructures/b-later.yaml", s3.formatted("alpha"));

        assertThat(validate()).singleElement().satisfies(d -> {
            assertThat(d.rule()).isEqualTo("duplicate-state-key");
            assertThat(d.location().file()).isEqualTo(later.toString());
            assertThat(d.message()).contains("`zeta` and `alpha`");
            assertThat(d.hint()).contains("give `alpha` its own spec.state.keyPrefix");
        });
    }
}
