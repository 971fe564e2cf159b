package dev.cairn.reconciler.manifest;

import java.util.List;
import java.util.Map;

/** The body of a manifest: the five built-in stages, custom modules, applications and policy. */
public record Spec(
        ProviderSpec provider,
        Map<String, String> tags,
        Map<String, Object> variables,
        StateSpec state,
        BackendSpec backend,
        NetworkSpec network,
        DomainSpec domain,
        KubernetesSpec kubernetes,
        AddonsSpec addons,
        List<ModuleSpec> modules,
        List<ApplicationSpec> applications,
        PolicySpec policy,
        NotificationsSpec notifications) {

    public Spec {
        tags = tags == null ? Map.of() : tags;
        variables = variables == null ? Map.of() : variables;
        modules = modules == null ? List.of() : modules;
        applications = applications == null ? List.of() : applications;
        state = state == null ? new StateSpec(null, null, null, null) : state;
        policy = policy == null ? new PolicySpec(null, null, null, null) : policy;
        provider = provider == null ? new ProviderSpec("none", null, null, null, null, null, null, null) : provider;
    }

    /** A built-in stage section by stage name, or null when the manifest leaves it out. */
    public StageSection section(String stage) {
        return switch (stage) {
            case "backend" -> backend;
            case "network" -> network;
            case "domain" -> domain;
            case "kubernetes" -> kubernetes;
            case "addons" -> addons;
            default -> null;
        };
    }

    /**
     * @param externalId     the external id the role's trust policy asks for (with {@code roleArn}, and {@code previewRoleArn})
     * @param previewRoleArn the read-only role plan previews of pull/merge requests assume instead of {@code roleArn}
     *                       (they run the PR's module code; a preview never assumes {@code roleArn})
     */
    public record ProviderSpec(String cloud, String region, String accountId, String roleArn, Boolean emulator,
                               Map<String, String> endpoints, String externalId, String previewRoleArn) {
        public boolean isAws() {
            return "aws".equals(cloud);
        }

        public boolean isEmulator() {
            return Boolean.TRUE.equals(emulator);
        }
    }

    public record StateSpec(String type, String bucket, String region, String keyPrefix) {
        public boolean isS3() {
            return "s3".equals(type);
        }
    }

    public record PolicySpec(String apply, List<String> approvers, List<String> operators, String destroy) {
        public boolean autoApply() {
            return !"approval".equals(apply);
        }
    }

    public record NotificationsSpec(SlackSpec slack) {
        /** @param previews also post finished PR/MR plan previews to the channel; null or false: not */
        public record SlackSpec(String channel, List<String> events, Boolean previews) {
            public SlackSpec(String channel, List<String> events) {
                this(channel, events, null);
            }

            public boolean postsPreviews() {
                return Boolean.TRUE.equals(previews);
            }
        }
    }
}
