package dev.cairn.cli;

import dev.cairn.reconciler.template.TemplateEngine;
import dev.cairn.reconciler.terraform.TerraformBinary;
import dev.cairn.reconciler.validate.SchemaCheck;

import java.util.Set;

/**
 * Start-up work a command will need, begun on other threads before picocli has even parsed the
 * arguments: {@code terraform version} and the class loading behind the JSON Schemas and the
 * template engine. A short CLI run is mostly start-up, and this machine has more than one core.
 * Nothing here changes what a command does: each piece is done again (or waited for) where it is
 * used, and a failure here is left for that place to report.
 */
final class Warmup {
    private static final Set<String> READ_REPO = Set.of("validate", "graph", "plan", "apply", "destroy");
    private static final Set<String> RUN_TERRAFORM = Set.of("plan", "apply", "destroy", "stage");

    private Warmup() {
    }

    static void start(String[] args) {
        if (args.length == 0 || System.getenv("CAIRN_NO_WARMUP") != null) return;
        if (RUN_TERRAFORM.contains(args[0])) TerraformBinary.prefetch(null);
        if (READ_REPO.contains(args[0])) {
            Thread.ofPlatform().daemon().name("cairn-warmup").start(() -> {
                try {
                    SchemaCheck.INFRASTRUCTURE.schemaRoot();
                    new TemplateEngine();
                } catch (RuntimeException | LinkageError ignored) {
                    // reported where it is used
                }
            });
        }
    }
}
