package dev.cairn.cli;

import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.reconciler.graph.StageCatalog;
import dev.cairn.reconciler.manifest.InfrastructureRepo;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.module.BuiltinModules;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.run.Reconciler;
import dev.cairn.reconciler.template.TemplateEngine;
import dev.cairn.reconciler.terraform.TerraformBinary;
import dev.cairn.reconciler.validate.RepositoryValidator;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** A command that works on an infrastructure repo. */
abstract class RepoCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "REPO", description = "The infrastructure repo (the folder with cairn.yaml).")
    Path repo;

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    Terminal terminal() {
        return new Terminal(common.noColor || common.json());
    }

    /** Validates the whole repo; any problem stops the command (exit 2) before anything runs. */
    InfrastructureRepo loadRepo() {
        return loadRepo(null);
    }

    /** As {@link #loadRepo()}, checking of the infrastructures only {@code only} (null: all). */
    InfrastructureRepo loadRepo(String only) {
        var report = validator().validate(repo, only);
        if (!report.ok()) throw new InvalidInputException(report.diagnostics());
        return report.repo();
    }

    static RepositoryValidator validator() {
        var templates = new TemplateEngine();
        var fetcher = new ModuleFetcher(Path.of(System.getProperty("java.io.tmpdir"), "cairn-validate-git"), BuiltinModules.discover());
        return new RepositoryValidator(new StageCatalog(fetcher, templates));
    }

    Reconciler reconciler(InfrastructureRepo loaded) {
        var terraform = TerraformBinary.find(loaded.config().terraform().binary());
        return Reconciler.local(loaded, common.workspace(repo), terraform);
    }

    void printJson(Object value) {
        try {
            out().println(Json.MAPPER.writeValueAsString(value));
            out().flush();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
