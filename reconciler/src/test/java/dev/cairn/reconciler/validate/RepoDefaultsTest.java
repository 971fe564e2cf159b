package dev.cairn.reconciler.validate;

import dev.cairn.reconciler.graph.StageCatalog;
import dev.cairn.reconciler.module.BuiltinModules;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.template.TemplateEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.cairn.reconciler.RepoFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

/** cairn.yaml defaults are partial specs: they and the manifests complete each other. */
class RepoDefaultsTest {
    @TempDir
    Path tmp;

    RepositoryValidator.Report validate() {
        return new RepositoryValidator(new StageCatalog(new ModuleFetcher(tmp.resolve("git"), BuiltinModules.discover()),
                new TemplateEngine())).validate(tmp.resolve("repo"));
    }

    @Test
    void aKeyRequiredByTheSchemaMayComeFromEitherSide() {
        write(tmp, "repo/cairn.yaml", """
                apiVersion: cairn.dev/v1
                kind: Repository
                defaults:
                  provider:
                    region: eu-west-1
                """);
        write(tmp, "repo/infrastructures/dev.yaml", """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: dev
                spec:
                  provider:
                    cloud: none
                """);

        var report = validate();

        assertThat(report.diagnostics()).isEmpty();
        assertThat(report.repo().infrastructure("dev").orElseThrow().spec().provider().region()).isEqualTo("eu-west-1");
    }

    @Test
    void aBadDefaultIsReportedOnceInCairnYamlNotInEveryManifest() {
        write(tmp, "repo/cairn.yaml", """
                apiVersion: cairn.dev/v1
                kind: Repository
                defaults:
                  network:
                    natGateway: always
                """);
        for (var name : new String[]{"dev", "qa", "prod"}) {
            write(tmp, "repo/infrastructures/" + name + ".yaml", """
                    apiVersion: cairn.dev/v1
                    kind: Infrastructure
                    metadata:
                      name: %s
                    spec:
                      network:
                        cidr: 10.0.0.0/16
                    """.formatted(name));
        }

        var report = validate();

        assertThat(report.diagnostics()).hasSize(1);
        var d = report.diagnostics().get(0);
        assertThat(d.rule()).isEqualTo("bad-value");
        assertThat(d.location().file()).endsWith("cairn.yaml");
        assertThat(d.location().line()).isEqualTo(5);
    }
}
