package dev.cairn.reconciler.manifest;

import java.util.Map;

/** {@code cairn.yaml}: repo-wide folders, tracked branch, variables and defaults. Every key is optional. */
public record RepoConfig(String apiVersion, String kind, String infrastructures, String modules,
                         String applications, String branch, Map<String, Object> variables,
                         Map<String, Object> defaults, Terraform terraform) {

    public static final RepoConfig DEFAULT = new RepoConfig("cairn.dev/v1", "Repository", null, null, null, null,
            null, null, null);

    public RepoConfig {
        infrastructures = infrastructures == null ? "infrastructures" : infrastructures;
        modules = modules == null ? "modules" : modules;
        applications = applications == null ? "applications" : applications;
        branch = branch == null ? "main" : branch;
        variables = variables == null ? Map.of() : variables;
        defaults = defaults == null ? Map.of() : defaults;
        terraform = terraform == null ? new Terraform(null, null) : terraform;
    }

    public record Terraform(String binary, Integer parallelism) {
    }
}
