package dev.cairn.reconciler.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.reconciler.manifest.AddonsSpec;
import dev.cairn.reconciler.manifest.ApplicationSpec;
import dev.cairn.reconciler.manifest.BackendSpec;
import dev.cairn.reconciler.manifest.DomainSpec;
import dev.cairn.reconciler.manifest.KubernetesSpec;
import dev.cairn.reconciler.manifest.Manifest;
import dev.cairn.reconciler.manifest.ModuleSpec;
import dev.cairn.reconciler.manifest.NetworkSpec;
import dev.cairn.reconciler.manifest.RepoConfig;
import dev.cairn.reconciler.manifest.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The published JSON Schemas and the Java model must describe the same keys: a key the schema
 * accepts but the model lacks would be silently dropped, and a model field the schema rejects
 * could never be set.
 */
class SchemaMatchesModelTest {
    private static final String INFRA = "/cairn/schema/infrastructure.schema.json";
    private static final String REPO = "/cairn/schema/repository.schema.json";

    static Stream<Arguments> recordsAndSchemaObjects() {
        return Stream.of(
                Arguments.of(Manifest.class, INFRA, ""),
                Arguments.of(Manifest.Metadata.class, INFRA, "/properties/metadata"),
                Arguments.of(Spec.class, INFRA, "/properties/spec"),
                Arguments.of(Spec.ProviderSpec.class, INFRA, "/properties/spec/properties/provider"),
                Arguments.of(Spec.StateSpec.class, INFRA, "/properties/spec/properties/state"),
                Arguments.of(Spec.PolicySpec.class, INFRA, "/properties/spec/properties/policy"),
                Arguments.of(Spec.NotificationsSpec.class, INFRA, "/properties/spec/properties/notifications"),
                Arguments.of(Spec.NotificationsSpec.SlackSpec.class, INFRA, "/properties/spec/properties/notifications/properties/slack"),
                Arguments.of(BackendSpec.class, INFRA, "/properties/spec/properties/backend"),
                Arguments.of(NetworkSpec.class, INFRA, "/properties/spec/properties/network"),
                Arguments.of(DomainSpec.class, INFRA, "/properties/spec/properties/domain"),
                Arguments.of(KubernetesSpec.class, INFRA, "/properties/spec/properties/kubernetes"),
                Arguments.of(KubernetesSpec.NodeGroup.class, INFRA, "/properties/spec/properties/kubernetes/properties/nodeGroups/items"),
                Arguments.of(AddonsSpec.class, INFRA, "/properties/spec/properties/addons"),
                Arguments.of(AddonsSpec.CertManager.class, INFRA, "/properties/spec/properties/addons/properties/certManager"),
                Arguments.of(AddonsSpec.Keycloak.class, INFRA, "/properties/spec/properties/addons/properties/keycloak"),
                Arguments.of(ModuleSpec.class, INFRA, "/properties/spec/properties/modules/items"),
                Arguments.of(ApplicationSpec.class, INFRA, "/properties/spec/properties/applications/items"),
                Arguments.of(ApplicationSpec.Source.class, INFRA, "/properties/spec/properties/applications/items/properties/source"),
                Arguments.of(ApplicationSpec.Helm.class, INFRA, "/properties/spec/properties/applications/items/properties/source/properties/helm"),
                Arguments.of(ApplicationSpec.SyncPolicy.class, INFRA, "/properties/spec/properties/applications/items/properties/syncPolicy"),
                Arguments.of(RepoConfig.class, REPO, ""),
                Arguments.of(RepoConfig.Terraform.class, REPO, "/properties/terraform"),
                Arguments.of(RepoConfig.Previews.class, REPO, "/properties/previews"));
    }

    @ParameterizedTest(name = "{0} has exactly the properties of {1}#{2}")
    @MethodSource("recordsAndSchemaObjects")
    void recordComponentsEqualSchemaProperties(Class<? extends Record> type, String schemaFile, String pointer) {
        var schemaRoot = load(schemaFile);
        var object = resolve(schemaRoot, pointer);

        assertThat(object.path("properties").isObject()).as("%s#%s has properties", schemaFile, pointer).isTrue();
        var properties = new TreeSet<String>();
        object.path("properties").fieldNames().forEachRemaining(properties::add);
        var components = Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName)
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(components).as("record %s vs schema %s#%s", type.getName(), schemaFile, pointer)
                .isEqualTo(properties);
    }

    @Test
    void schemaObjectsThatForbidUnknownKeysAreAllCoveredByARecord() {
        var covered = new HashSet<JsonNode>();
        recordsAndSchemaObjects().forEach(a -> covered.add(resolve(load((String) a.get()[1]), (String) a.get()[2])));
        var uncovered = new ArrayList<String>();
        for (var file : new String[]{INFRA, REPO}) {
            var root = load(file);
            collectClosedObjects(root, "", root, uncovered, covered, file);
        }

        assertThat(uncovered).as("closed schema objects without a matching record").isEmpty();
    }

    /** Every schema object with {@code additionalProperties: false} reached from the root through properties/items. */
    private static void collectClosedObjects(JsonNode root, String pointer, JsonNode node, ArrayList<String> uncovered,
                                             Set<JsonNode> covered, String file) {
        var resolved = node.has("$ref") ? resolve(root, node.get("$ref").asText().substring(1)) : node;
        if (resolved.path("additionalProperties").isBoolean() && !resolved.path("additionalProperties").asBoolean()
                && resolved.has("properties") && !covered.contains(resolved)) {
            uncovered.add(file + "#" + pointer);
        }
        resolved.path("properties").fields().forEachRemaining(e ->
                collectClosedObjects(root, pointer + "/properties/" + e.getKey(), e.getValue(), uncovered, covered, file));
        if (resolved.has("items")) collectClosedObjects(root, pointer + "/items", resolved.get("items"), uncovered, covered, file);
    }

    /** The node at {@code pointer}, following {@code $ref} at every step (local refs only). */
    private static JsonNode resolve(JsonNode root, String pointer) {
        var node = deref(root, root);
        if (pointer.isEmpty()) return node;
        for (var part : pointer.substring(1).split("/")) {
            node = deref(root, node.path(part.replace("~1", "/").replace("~0", "~")));
            assertThat(node.isMissingNode()).as("schema has %s", pointer).isFalse();
        }
        return node;
    }

    private static JsonNode deref(JsonNode root, JsonNode node) {
        while (node.has("$ref")) {
            var ref = node.get("$ref").asText();
            assertThat(ref).as("only local $refs").startsWith("#");
            node = root.at(ref.substring(1));
        }
        return node;
    }

    private static JsonNode load(String resource) {
        try (var in = SchemaMatchesModelTest.class.getResourceAsStream(resource)) {
            assertThat(in).as("classpath resource %s", resource).isNotNull();
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
