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
        // the lines where the edited example has each bad input (found in the file, not hard-coded)
        var lines = Files.readAllLines(dev);
        assertThat(report.diagnostics()).extracting(d -> d.location().line()).containsExactly(
                lineOf(lines, "vars.orgg"), lineOf(lines, "nope: 1"), lineOf(lines, "outputs.network.vpcid"));
        assertThat(report.diagnostics()).extracting(Diagnostic::hint)
                .containsExactly("did you mean `vars.org`?", "declared variables: name, settings, subnet_ids, vpc_id",
                        "did you mean `outputs.network.vpc_id`?");
    }

    /** The 1-based number of the only line that contains {@code text}. */
    private static int lineOf(java.util.List<String> lines, String text) {
        var found = java.util.stream.IntStream.range(0, lines.size()).filter(i -> lines.get(i).contains(text)).boxed().toList();
        assertThat(found).as("lines with %s", text).hasSize(1);
        return found.getFirst() + 1;
    }
}
