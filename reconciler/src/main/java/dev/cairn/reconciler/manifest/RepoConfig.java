package dev.cairn.reconciler.manifest;

import java.util.Map;

/** {@code cairn.yaml}: repo-wide folders, tracked branch, variables and defaults. Every key is optional. */
public record RepoConfig(String apiVersion, String kind, String infrastructures, String modules,
                         String applications, String branch, Map<String, Object> variables,
                         Map<String, Object> defaults, Terraform terraform, Previews previews) {

    public static final RepoConfig DEFAULT = new RepoConfig("cairn.dev/v1", "Repository", null, null, null, null,
            null, null, null, null);

    public RepoConfig {
        infrastructures = infrastructures == null ? "infrastructures" : infrastructures;
        modules = modules == null ? "modules" : modules;
        applications = applications == null ? "applications" : applications;
        branch = branch == null ? "main" : branch;
        variables = variables == null ? Map.of() : variables;
        defaults = defaults == null ? Map.of() : defaults;
        terraform = terraform == null ? new Terraform(null, null) : terraform;
        previews = previews == null ? new Previews(null) : previews;
    }

    public record Terraform(String binary, Integer parallelism) {
        /**
         * Stages run at once when {@code terraform.parallelism} is not set: enough that every stage
         * of a typical infrastructure (five built-in stages and a few modules) plans at once from
         * stored outputs, so a no-change run costs its slowest plan. Stage work waits on cloud APIs
         * far more than on the CPU; the bound is memory (one terraform process and its provider
         * plugins per stage, 100–200 MB with the AWS provider).
         */
        public static final int DEFAULT_PARALLELISM = 8;

        /** {@code parallelism}, else {@link #DEFAULT_PARALLELISM}. */
        public int parallelismOrDefault() {
            return parallelism == null ? DEFAULT_PARALLELISM : parallelism;
        }
    }

    /**
     * Pull/merge request previews. {@code forks}: whether a PR whose head is in another repository
     * (a fork) gets a preview; off by default, since {@code terraform plan} runs the PR's module code.
     * Read at the PR's base commit, never at its head, so a PR cannot allow itself.
     */
    public record Previews(Boolean forks) {
        public boolean forksAllowed() {
            return Boolean.TRUE.equals(forks);
        }
    }
}
