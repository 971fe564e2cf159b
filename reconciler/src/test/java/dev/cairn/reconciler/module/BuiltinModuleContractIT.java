package dev.cairn.reconciler.module;

import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.cairn.reconciler.RepoFiles;
import dev.cairn.reconciler.graph.StageCatalog;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.manifest.RepositoryLoader;
import dev.cairn.reconciler.template.TemplateEngine;
import dev.cairn.reconciler.terraform.TerraformEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cairn's own Terraform modules honour the stage contract (docs/stage-contract.md) that the
 * engine relies on, are formatted, and validate with the real terraform and AWS provider; the
 * Argo CD applications Cairn renders for the addons stage satisfy the Application CRD's schema.
 */
class BuiltinModuleContractIT {
    private static final Map<String, Set<String>> CONTRACT_OUTPUTS = Map.of(
            "backend", Set.of("state_bucket", "state_bucket_arn", "kms_key_arn", "lock_table_name", "secrets_prefix"),
            "network", Set.of("vpc_id", "vpc_cidr", "azs", "public_subnet_ids", "private_subnet_ids", "database_subnet_ids"),
            "domain", Set.of("zone_id", "domain_name", "name_servers", "certificate_arn"),
            "kubernetes", Set.of("cluster_name", "cluster_arn", "cluster_endpoint", "cluster_certificate_authority_data",
                    "oidc_provider_arn", "oidc_issuer_url", "node_role_arn"),
            "addons", Set.of("irsa_role_arns", "argocd_url", "keycloak_url", "keycloak_admin_secret_arn"));

    private static final Map<String, Set<String>> WIRED_VARIABLES = Map.of(
            "kubernetes", Set.of("vpc_id", "subnet_ids"),
            "addons", Set.of("cluster_name", "cluster_endpoint", "cluster_certificate_authority_data", "oidc_provider_arn",
                    "zone_id", "domain_name", "kms_key_arn", "secrets_prefix", "argocd_applications"));

    /**
     * Each schema setting of a stage and the Terraform variable it must arrive as, written out by
     * hand (not derived with the code's own camel-to-snake rule, which would then test itself).
     */
    private static final Map<String, Map<String, String>> SETTING_VARIABLES = Map.of(
            "backend", Map.of("create", "create", "bucketName", "bucket_name", "forceDestroy", "force_destroy",
                    "secrets", "secrets"),
            "network", Map.of("create", "create", "cidr", "cidr", "azs", "azs", "natGateway", "nat_gateway",
                    "interfaceEndpoints", "interface_endpoints", "vpcId", "vpc_id", "publicSubnetIds", "public_subnet_ids",
                    "privateSubnetIds", "private_subnet_ids", "databaseSubnetIds", "database_subnet_ids"),
            "domain", Map.of("create", "create", "domainName", "domain_name", "zoneId", "zone_id",
                    "parentZoneId", "parent_zone_id", "certificate", "certificate"),
            "kubernetes", Map.of("create", "create", "clusterName", "cluster_name", "kubernetesVersion", "kubernetes_version",
                    "endpointPublicAccess", "endpoint_public_access", "adminRoleArns", "admin_role_arns", "nodeGroups", "node_groups"),
            "addons", Map.of("ingressNginx", "ingress_nginx", "certManager", "cert_manager", "externalDns", "external_dns",
                    "argocd", "argocd", "keycloak", "keycloak"));

    @TempDir
    Path tmp;

    private static Path modules() {
        return RepoFiles.checkoutRoot().resolve("terraform-modules");
    }

    @ParameterizedTest
    @ValueSource(strings = {"backend", "network", "domain", "kubernetes", "addons"})
    void eachBuiltInModuleHasTheContractOutputsTheWiredVariablesAndEverySetting(String stage) throws IOException {
        var iface = ModuleInterface.scan(modules().resolve("aws").resolve(stage));

        assertThat(iface.outputs()).containsAll(CONTRACT_OUTPUTS.get(stage));
        assertThat(iface.variables()).containsAll(WIRED_VARIABLES.getOrDefault(stage, Set.of()));
        assertThat(iface.variables()).contains("name", "tags");
        // every setting the manifest schema allows for the stage arrives as a declared variable
        var schema = Json.MAPPER.readTree(RepoFiles.checkoutRoot().resolve("schema/infrastructure.schema.json").toFile());
        var settings = new TreeSet<String>();
        Iterator<String> names = schema.at("/$defs/" + stage + "/properties").fieldNames();
        names.forEachRemaining(n -> {
            if (!Set.of("enabled", "source", "version", "inputs").contains(n)) settings.add(n);
        });
        assertThat(settings).as("a new setting needs its variable in SETTING_VARIABLES")
                .containsExactlyInAnyOrderElementsOf(SETTING_VARIABLES.get(stage).keySet());
        assertThat(iface.variables()).containsAll(SETTING_VARIABLES.get(stage).values());
    }

    @Test
    void theIrsaHalfOfTheAddonsCanStandInForTheWholeStage() {
        var irsa = ModuleInterface.scan(modules().resolve("aws/addons/modules/irsa"));
        assertThat(irsa.outputs()).contains("irsa_role_arns", "keycloak_admin_secret_arn");
        assertThat(irsa.variables()).contains("cluster_name", "oidc_provider_arn", "zone_id", "secrets_prefix");
        assertThat(irsa.needsAws()).isTrue();
    }

    @Test
    void theModulesAreFormatted() throws Exception {
        var result = terraform(RepoFiles.checkoutRoot(), "fmt", "-check", "-recursive", "-diff", "terraform-modules", "examples");
        assertThat(result.exit()).as(result.output()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"backend", "network", "domain", "kubernetes", "addons/modules/irsa"})
    void theAwsSideModulesValidateWithTheRealProvider(String module) throws Exception {
        var dir = tmp.resolve("m");
        copy(modules().resolve("aws").resolve(module), dir);
        var init = terraform(dir, "init", "-backend=false", "-input=false", "-no-color");
        assertThat(init.exit()).as("terraform init (needs the AWS provider: registry access or CAIRN_PROVIDER_MIRROR)\n" + init.output()).isZero();
        var validate = terraform(dir, "validate", "-no-color");
        assertThat(validate.exit()).as(validate.output()).isZero();
    }

    @Test
    void renderedArgoCdApplicationsSatisfyTheApplicationSchema() throws Exception {
        var repoDir = RepoFiles.copyQuickstart(tmp.resolve("repo"));
        var repo = new RepositoryLoader().loadValid(repoDir);
        var catalog = new StageCatalog(new ModuleFetcher(tmp.resolve("git"), BuiltinModules.discover()), new TemplateEngine());
        var schemaNode = Json.MAPPER.readTree(RepoFiles.checkoutRoot().resolve("schema/argocd-application.schema.json").toFile());
        var schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaNode);

        for (var infra : repo.infrastructures().values()) {
            var stages = catalog.build(repo, infra).stages();
            var outputs = new LinkedHashMap<String, Map<String, Object>>();
            stages.interfaces().forEach((stage, iface) -> {
                var values = new LinkedHashMap<String, Object>();
                iface.outputs().forEach(o -> values.put(o, "value-of-" + o));
                outputs.put(stage, values);
            });
            @SuppressWarnings("unchecked")
            var apps = (List<Object>) catalog.renderInputs(stages, "addons", StageCatalog.scope(infra, outputs)).get("argocd_applications");
            assertThat(apps).isNotEmpty();
            for (var app : apps) {
                var errors = schema.validate(Json.MAPPER.valueToTree(app));
                assertThat(errors).as(infra.name() + ": " + Json.MAPPER.writeValueAsString(app)).isEmpty();
            }
        }
    }

    record Result(int exit, String output) {
    }

    private Result terraform(Path dir, String... args) throws Exception {
        var command = new ArrayList<String>();
        command.add("terraform");
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(TerraformEnvironment.create(tmp.resolve("cairn")));
        var process = builder.start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (var p : walk.toList()) {
                var target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
    }
}
