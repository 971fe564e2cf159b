package dev.cairn.reconciler.graph;

import dev.cairn.reconciler.RepoFiles;
import dev.cairn.reconciler.manifest.InfrastructureRepo;
import dev.cairn.reconciler.manifest.RepositoryLoader;
import dev.cairn.reconciler.module.BuiltinModules;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.template.TemplateEngine;
import dev.cairn.reconciler.template.Unknown;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;

/** The stages Cairn derives from examples/quickstart's `dev` infrastructure. */
class StageCatalogTest {
    @TempDir
    Path tmp;

    private StageCatalog catalog;
    private InfrastructureRepo repo;
    private Stages dev;

    @BeforeEach
    void buildDev() {
        var root = RepoFiles.copyQuickstart(tmp.resolve("repo"));
        catalog = new StageCatalog(new ModuleFetcher(tmp.resolve("git"), BuiltinModules.discover()), new TemplateEngine());
        repo = new RepositoryLoader().loadValid(root);
        var result = catalog.build(repo, repo.infrastructure("dev").orElseThrow());
        assertThat(result.diagnostics()).isEmpty();
        dev = result.stages();
    }

    /** Concrete outputs of every upstream stage, as they would come back from Terraform. */
    private static Map<String, Map<String, Object>> appliedOutputs() {
        var outputs = new LinkedHashMap<String, Map<String, Object>>();
        outputs.put("backend", Map.of("state_bucket", "acme-dev-state", "kms_key_arn", "arn:aws:kms:k",
                "secrets_prefix", "/cairn/dev/"));
        outputs.put("network", Map.of("vpc_id", "vpc-1", "private_subnet_ids", List.of("subnet-p1", "subnet-p2"),
                "database_subnet_ids", List.of("subnet-d1", "subnet-d2", "subnet-d3")));
        outputs.put("domain", Map.of("zone_id", "Z123", "domain_name", "dev.acme.example"));
        outputs.put("kubernetes", Map.of("cluster_name", "acme-dev", "cluster_endpoint", "https://eks.example",
                "cluster_certificate_authority_data", "Y2E=", "oidc_provider_arn", "arn:aws:iam::1:oidc-provider/x"));
        return outputs;
    }

    @Test
    void devHasTheFiveBuiltinStagesAndItsOwnModule() {
        assertThat(dev.definitions().keySet())
                .containsExactly("backend", "network", "domain", "kubernetes", "addons", "app_db");
        assertThat(dev.graph().stages()).containsExactlyInAnyOrderElementsOf(dev.definitions().keySet());
        assertThat(dev.get("app_db").builtin()).isFalse();
        assertThat(dev.get("network").builtin()).isTrue();
    }

    @Test
    void devRunsInFourWavesWithIndependentStagesTogether() {
        assertThat(dev.graph().waves()).containsExactly(
                List.of("backend"),
                List.of("network", "domain"),
                List.of("kubernetes", "app_db"),
                List.of("addons"));
    }

    @Test
    void builtinOrderAndBackendDependenciesAreInTheGraph() {
        var g = dev.graph();

        assertThat(g.dependenciesOf("backend")).isEmpty();
        assertThat(g.dependenciesOf("network")).containsExactly("backend");
        assertThat(g.dependenciesOf("domain")).containsExactly("backend");
        assertThat(g.dependenciesOf("kubernetes")).containsExactlyInAnyOrder("backend", "network");
        assertThat(g.dependenciesOf("addons")).containsExactlyInAnyOrder("backend", "kubernetes", "domain");
    }

    @Test
    void appDbDependsOnNetworkOnly() {
        assertThat(dev.graph().dependenciesOf("app_db")).containsExactly("network");
        assertThat(dev.graph().transitiveDependents("network")).containsExactlyInAnyOrder("kubernetes", "addons", "app_db");
    }

    @Test
    void kubernetesIsWiredToTheNetworkOutputs() {
        // what the wiring delivers once rendered (docs/stage-contract.md), not how it is spelled
        @SuppressWarnings("unchecked") var wired = (Map<String, Object>) new TemplateEngine().render(dev.get("kubernetes").wiring(),
                StageCatalog.scope(dev.infrastructure(), appliedOutputs()));

        assertThat(wired).containsEntry("vpc_id", "vpc-1")
                .containsEntry("subnet_ids", List.of("subnet-p1", "subnet-p2"));
    }

    @Test
    void addonsIsWiredToKubernetesDomainAndBackendOutputs() {
        @SuppressWarnings("unchecked") var wired = (Map<String, Object>) new TemplateEngine().render(dev.get("addons").wiring(),
                StageCatalog.scope(dev.infrastructure(), appliedOutputs()));

        assertThat(wired).containsEntry("cluster_name", "acme-dev")
                .containsEntry("zone_id", "Z123")
                .containsEntry("kms_key_arn", "arn:aws:kms:k")
                .containsEntry("oidc_provider_arn", "arn:aws:iam::1:oidc-provider/x")
                .containsKey("argocd_applications");
    }

    @Test
    void renderInputsWithConcreteOutputsKeepsSubnetIdsAList() {
        var scope = StageCatalog.scope(dev.infrastructure(), appliedOutputs());

        var vars = catalog.renderInputs(dev, "kubernetes", scope);

        assertThat(vars.get("subnet_ids")).isInstanceOf(List.class).isEqualTo(List.of("subnet-p1", "subnet-p2"));
        assertThat(vars).containsEntry("vpc_id", "vpc-1")
                .containsEntry("cluster_name", "acme-dev")
                .containsEntry("kubernetes_version", "1.31");
        assertThat(scope.sawUnknown()).isFalse();
    }

    @Test
    void renderInputsPassesOnlyVariablesTheLocalModuleDeclares() {
        var scope = StageCatalog.scope(dev.infrastructure(), appliedOutputs());

        var vars = catalog.renderInputs(dev, "kubernetes", scope);

        // the stand-in module declares neither name nor tags
        assertThat(vars.keySet()).containsExactlyInAnyOrder("cluster_name", "kubernetes_version", "node_groups",
                "vpc_id", "subnet_ids");
    }

    @Test
    void nameAndTagsArePassedWhenTheModuleDeclaresThem() {
        var scope = StageCatalog.scope(dev.infrastructure(), appliedOutputs());

        var vars = catalog.renderInputs(dev, "backend", scope);

        assertThat(vars).containsEntry("name", "dev").containsEntry("bucket_name", "acme-dev-state");
        assertThat(vars.get("tags")).isEqualTo(Map.of("owner", "platform-team", "environment", "dev",
                "cairn:infrastructure", "dev"));
    }

    @Test
    void settingsKeysAreConvertedToSnakeCaseRecursively() {
        var settings = dev.get("kubernetes").settings();

        assertThat(settings).containsKeys("cluster_name", "kubernetes_version", "node_groups")
                .doesNotContainKeys("clusterName", "nodeGroups", "source");
        assertThat(settings.get("node_groups")).isEqualTo(List.of(Map.of(
                "name", "default",
                "instance_types", List.of("t3.large"),
                "min_size", 1,
                "max_size", 3,
                "desired_size", 2)));
    }

    @Test
    void renderedNodeGroupsReachTerraformInSnakeCase() {
        var vars = catalog.renderInputs(dev, "kubernetes", StageCatalog.scope(dev.infrastructure(), appliedOutputs()));

        @SuppressWarnings("unchecked")
        var groups = (List<Map<String, Object>>) vars.get("node_groups");
        assertThat(groups).singleElement().satisfies(g -> assertThat(g)
                .containsEntry("instance_types", List.of("t3.large"))
                .containsEntry("desired_size", 2)
                .doesNotContainKey("instanceTypes"));
    }

    @Test
    void snakeCaseConversionHandlesAcronymsAndDigits() {
        assertThat(StageCatalog.snake("nodeGroups")).isEqualTo("node_groups");
        assertThat(StageCatalog.snake("instanceTypes")).isEqualTo("instance_types");
        assertThat(StageCatalog.snake("repoURL")).isEqualTo("repo_url");
        assertThat(StageCatalog.snake("HTTPServer")).isEqualTo("http_server");
        assertThat(StageCatalog.snake("s3Bucket")).isEqualTo("s3_bucket");
        assertThat(StageCatalog.snake("already_snake")).isEqualTo("already_snake");
    }

    @Test
    void cairnOnlyKeysAreNotPassedAsSettings() {
        for (var stage : BuiltinStages.NAMES) {
            assertThat(dev.get(stage).settings()).as(stage).doesNotContainKeys("source", "inputs", "enabled", "version");
        }
    }

    @Test
    void moduleInputsAreRenderedWithVariablesAndOutputs() {
        var vars = catalog.renderInputs(dev, "app_db", StageCatalog.scope(dev.infrastructure(), appliedOutputs()));

        assertThat(vars).containsEntry("name", "dev-acme-app").containsEntry("vpc_id", "vpc-1");
        assertThat(vars.get("subnet_ids")).isEqualTo(List.of("subnet-d1", "subnet-d2", "subnet-d3"));
        // the manifest's variables win over the repo's
        assertThat(vars.get("settings")).isEqualTo(Map.of("engine", "postgres", "size", "micro"));
    }

    @Test
    void probeScopeMakesEveryDeclaredOutputUnknown() {
        var scope = catalog.probeScope(dev);

        var vars = catalog.renderInputs(dev, "kubernetes", scope);

        assertThat(vars.get("vpc_id")).isSameAs(Unknown.VALUE);
        assertThat(scope.sawUnknown()).isTrue();
        assertThat(scope.referencedOutputs()).contains("network.vpc_id", "network.private_subnet_ids");
    }

    @Test
    void argocdApplicationsHoldTheManifestsAppAndTheSharedApp() {
        @SuppressWarnings("unchecked")
        var apps = (List<Map<String, Object>>) dev.get("addons").wiring().get("argocd_applications");

        assertThat(apps).extracting(a -> (Object) ((Map<?, ?>) a.get("metadata")).get("name"))
                .containsExactly("podinfo", "guestbook");
        assertThat(apps).allSatisfy(a -> {
            assertThat(a).containsEntry("apiVersion", "argoproj.io/v1alpha1").containsEntry("kind", "Application");
            assertThat(a.get("metadata")).asInstanceOf(MAP).containsEntry("namespace", "argocd");
            assertThat(((Map<?, ?>) a.get("metadata")).get("labels")).asInstanceOf(MAP)
                    .containsEntry("cairn.dev/infrastructure", "dev");
        });
    }

    @Test
    void argocdApplicationCarriesSourceDestinationAndSyncPolicy() {
        @SuppressWarnings("unchecked")
        var apps = (List<Map<String, Object>>) dev.get("addons").wiring().get("argocd_applications");
        var guestbook = apps.get(1);

        @SuppressWarnings("unchecked")
        var spec = (Map<String, Object>) guestbook.get("spec");
        assertThat(spec).containsEntry("project", "default");
        assertThat(spec.get("destination")).isEqualTo(Map.of("server", "https://kubernetes.default.svc", "namespace", "guestbook"));
        assertThat(spec.get("source")).asInstanceOf(MAP).containsEntry("repoURL", "https://github.com/argoproj/argocd-example-apps")
                .containsEntry("path", "guestbook").containsEntry("targetRevision", "HEAD");
        assertThat(spec.get("syncPolicy")).isEqualTo(Map.of(
                "automated", Map.of("prune", true, "selfHeal", true),
                "syncOptions", List.of("CreateNamespace=true")));
    }

    @Test
    void renderedArgocdApplicationsResolveTheirTemplates() {
        var vars = catalog.renderInputs(dev, "addons", StageCatalog.scope(dev.infrastructure(), appliedOutputs()));

        @SuppressWarnings("unchecked")
        var apps = (List<Map<String, Object>>) vars.get("argocd_applications");
        assertThat(apps).hasSize(2);
        @SuppressWarnings("unchecked")
        var podinfo = (Map<String, Object>) ((Map<String, Object>) apps.get(0).get("spec")).get("source");
        assertThat(podinfo).containsEntry("chart", "podinfo").containsEntry("targetRevision", "6.7.1");
        // the CRD's helm.values is a YAML string: values given as a mapping go to valuesObject
        assertThat(podinfo.get("helm")).isEqualTo(Map.of("valuesObject", Map.of("ingress", Map.of("enabled", true,
                "hosts", List.of(Map.of("host", "podinfo.dev.acme.example"))))));
        assertThat(vars).containsEntry("cluster_name", "acme-dev").containsEntry("domain_name", "dev.acme.example");
    }

    @Test
    void sharedApplicationLimitedToOtherInfrastructuresIsLeftOut() {
        RepoFiles.write(repo.root(), "applications/guestbook.yaml", """
                name: guestbook
                infrastructures: [prod]
                source:
                  repoURL: https://github.com/argoproj/argocd-example-apps
                  path: guestbook
                """);
        var reloaded = new RepositoryLoader().loadValid(repo.root());

        var stages = catalog.build(reloaded, reloaded.infrastructure("dev").orElseThrow()).stages();

        @SuppressWarnings("unchecked")
        var apps = (List<Map<String, Object>>) stages.get("addons").wiring().get("argocd_applications");
        assertThat(apps).extracting(a -> (Object) ((Map<?, ?>) a.get("metadata")).get("name")).containsExactly("podinfo");
    }
}
