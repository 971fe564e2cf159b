package dev.cairn.reconciler.validate;

import dev.cairn.reconciler.RepoFiles;
import dev.cairn.reconciler.diag.Diagnostic;
import dev.cairn.reconciler.graph.StageCatalog;
import dev.cairn.reconciler.module.BuiltinModules;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.template.TemplateEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Every bad input of a stage is reported in one validation, not just the first. */
class EveryInputProblemTest {
    @TempDir
    Path tmp;

    @Test
    void threeBadInputsOfOneModuleGiveThreeDiagnosticsAtTheirOwnLines() throws Exception {
        var repo = RepoFiles.copyQuickstart(tmp.resolve("repo"));
        var dev = repo.resolve("infrastructures/dev.yaml");
        Files.writeString(dev, Files.readString(dev)
                .replace("name: \"{{ infra.name }}-{{ vars.org }}-app\"", "name: \"{{ infra.name }}-{{ vars.orgg }}-app\"\n        nope: 1")
                .replace("vpc_id: \"{{ outputs.network.vpc_id }}\"", "vpc_id: \"{{ outputs.network.vpcid }}\""));

        var report = new RepositoryValidator(new StageCatalog(new ModuleFetcher(tmp.resolve("git"), BuiltinModules.discover()),
                new TemplateEngine())).validate(repo);

        assertThat(report.diagnostics()).extracting(Diagnostic::rule)
                .containsExactly("unknown-reference", "unknown-input", "unknown-reference");
        assertThat(report.diagnostics()).extracting(d -> d.location().line()).containsExactly(45, 46, 47);
        assertThat(report.diagnostics()).extracting(Diagnostic::hint)
                .containsExactly("did you mean `vars.org`?", "declared variables: name, settings, subnet_ids, vpc_id",
                        "did you mean `outputs.network.vpc_id`?");
    }
}
