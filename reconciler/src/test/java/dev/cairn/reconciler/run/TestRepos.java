package dev.cairn.reconciler.run;

import dev.cairn.reconciler.manifest.RepositoryLoader;
import dev.cairn.reconciler.terraform.TerraformBinary;

import java.nio.file.Path;

/** Infrastructure repos on disk for tests: the quickstart example, or one written by the test. */
final class TestRepos {
    private TestRepos() {
    }

    static Path copyQuickstart(Path target) {
        return dev.cairn.reconciler.RepoFiles.copyQuickstart(target);
    }

    static void write(Path file, String text) {
        dev.cairn.reconciler.RepoFiles.write(file.getParent(), file.getFileName().toString(), text);
    }

    static Reconciler reconciler(Path repo) {
        var loaded = new RepositoryLoader().loadValid(repo);
        return Reconciler.local(loaded, new Workspace(repo.resolve(".cairn")), TerraformBinary.find(null));
    }

    static Reconciler.Options auto() {
        return new Reconciler.Options("test", 4, Confirmation.AUTO, RunListener.NONE);
    }

    /** A module with one terraform_data resource that echoes its inputs. */
    static String passthroughModule(String... variablesAndTypes) {
        var sb = new StringBuilder();
        var inputs = new StringBuilder();
        for (int i = 0; i < variablesAndTypes.length; i += 2) {
            var name = variablesAndTypes[i];
            sb.append("variable \"").append(name).append("\" {\n  type = ").append(variablesAndTypes[i + 1]).append("\n}\n\n");
            inputs.append("    ").append(name).append(" = var.").append(name).append('\n');
        }
        sb.append("resource \"terraform_data\" \"this\" {\n  input = {\n").append(inputs).append("  }\n}\n\n");
        sb.append("output \"echo\" {\n  value = terraform_data.this.output\n}\n");
        return sb.toString();
    }
}
