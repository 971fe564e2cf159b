package dev.cairn.reconciler.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.reconciler.diag.Diagnostic;
import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.reconciler.diag.Location;
import dev.cairn.reconciler.validate.CidrRule;
import dev.cairn.reconciler.validate.SchemaCheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Loads an infrastructure repo: {@code cairn.yaml}, every manifest under the infrastructures
 * folder and the shared applications. Each file is parsed with locations and checked against the
 * JSON Schema; every problem in every file is collected, nothing stops at the first.
 */
public final class RepositoryLoader {
    public static final String CONFIG_FILE = "cairn.yaml";

    public record Result(InfrastructureRepo repo, List<Diagnostic> diagnostics) {
        public boolean ok() {
            return diagnostics.isEmpty();
        }
    }

    private final YamlReader yaml = new YamlReader();

    public Result load(Path root) {
        var diagnostics = Collections.synchronizedList(new ArrayList<Diagnostic>());
        root = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            diagnostics.add(new Diagnostic(Location.file(root), "repo-not-found", "no repository folder here",
                    "pass the folder that holds cairn.yaml and the infrastructures"));
            return new Result(new InfrastructureRepo(root, RepoConfig.DEFAULT, new TreeMap<>(), List.of()), diagnostics);
        }
        var config = loadConfig(root, diagnostics);
        var manifestDir = root.resolve(config.infrastructures());
        var infrastructures = new TreeMap<String, Infrastructure>();
        if (!Files.isDirectory(manifestDir)) {
            diagnostics.add(new Diagnostic(Location.file(root.resolve(CONFIG_FILE)), "no-infrastructures",
                    "folder `" + config.infrastructures() + "` with the infrastructure manifests does not exist",
                    "create it with one YAML file per infrastructure, or set `infrastructures:` in cairn.yaml"));
        } else {
            var loaded = yamlFiles(manifestDir).parallelStream()
                    .map(file -> loadInfrastructure(file, config, diagnostics))
                    .filter(java.util.Objects::nonNull)
                    .toList();
            for (var infra : loaded) {
                var previous = infrastructures.putIfAbsent(infra.name(), infra);
                if (previous != null) {
                    diagnostics.add(new Diagnostic(infra.sourceMap().value("/metadata/name"), "duplicate-infrastructure",
                            "infrastructure `" + infra.name() + "` is already defined in " + root.relativize(previous.file()),
                            "give each infrastructure a unique metadata.name"));
                }
            }
        }
        var shared = loadSharedApplications(root.resolve(config.applications()), diagnostics);
        var sorted = new ArrayList<>(diagnostics);
        sorted.sort(Comparator.comparing((Diagnostic d) -> d.location().file())
                .thenComparingInt(d -> d.location().line()).thenComparingInt(d -> d.location().column()));
        return new Result(new InfrastructureRepo(root, config, infrastructures, shared), sorted);
    }

    /** Loads the repo or throws {@link InvalidInputException} with every problem found. */
    public InfrastructureRepo loadValid(Path root) {
        var result = load(root);
        if (!result.ok()) throw new InvalidInputException(result.diagnostics());
        return result.repo();
    }

    private RepoConfig loadConfig(Path root, List<Diagnostic> diagnostics) {
        var file = root.resolve(CONFIG_FILE);
        if (!Files.exists(file)) return RepoConfig.DEFAULT;
        try {
            var doc = yaml.read(file);
            var problems = SchemaCheck.REPOSITORY.check(doc.root(), doc.sourceMap());
            if (!problems.isEmpty()) {
                diagnostics.addAll(problems);
                return RepoConfig.DEFAULT;
            }
            var config = Json.MAPPER.treeToValue(doc.root(), RepoConfig.class);
            var defaults = doc.root().path("defaults");
            if (defaults.isObject()) {
                // defaults must be a valid partial spec: check them in the shape of a manifest
                var probe = Json.MAPPER.createObjectNode();
                probe.put("apiVersion", "cairn.dev/v1").put("kind", "Infrastructure");
                probe.putObject("metadata").put("name", "defaults");
                probe.set("spec", defaults);
                // defaults are partial: a key they leave out may come from each manifest, so only
                // what they do say is checked (the merged manifest is checked as a whole later)
                SchemaCheck.INFRASTRUCTURE.check(probe, doc.sourceMap(), p -> p.startsWith("/spec") ? "/defaults" + p.substring(5) : p)
                        .stream().filter(d -> !d.rule().equals("missing-key")).forEach(diagnostics::add);
                var cidr = defaults.path("network").path("cidr");
                if (cidr.isTextual()) {
                    CidrRule.check(cidr.asText(), doc.sourceMap().value("/defaults/network/cidr")).ifPresent(diagnostics::add);
                }
            }
            return config;
        } catch (InvalidInputException e) {
            diagnostics.addAll(e.diagnostics());
            return RepoConfig.DEFAULT;
        } catch (JsonProcessingException e) {
            diagnostics.add(new Diagnostic(Location.file(file), "bad-value", e.getOriginalMessage(), "see schema/repository.schema.json"));
            return RepoConfig.DEFAULT;
        }
    }

    private Infrastructure loadInfrastructure(Path file, RepoConfig config, List<Diagnostic> diagnostics) {
        try {
            var doc = yaml.read(file);
            JsonNode merged = doc.root().deepCopy();
            if (merged instanceof ObjectNode object) {
                var defaults = Json.MAPPER.valueToTree(config.defaults());
                var spec = doc.root().path("spec");
                object.set("spec", spec.isObject() ? Json.merge(defaults, spec) : spec.isMissingNode() ? defaults : spec);
            }
            // the manifest with the repo defaults under it is what must be valid; what came from
            // the defaults is reported in cairn.yaml, not once per manifest
            var problems = SchemaCheck.INFRASTRUCTURE.check(merged, doc.sourceMap(), UnaryOperator.identity(),
                    pointer -> doc.sourceMap().has(pointer));
            if (!problems.isEmpty()) {
                diagnostics.addAll(problems);
                return null;
            }
            var manifest = Json.MAPPER.treeToValue(merged, Manifest.class);
            if (manifest.spec() == null) {
                manifest = new Manifest(manifest.apiVersion(), manifest.kind(), manifest.metadata(),
                        Json.MAPPER.treeToValue(Json.MAPPER.createObjectNode(), Spec.class));
            }
            JsonNode repoVars = Json.MAPPER.valueToTree(config.variables());
            JsonNode variables = Json.merge(repoVars, merged.path("spec").path("variables"));
            return new Infrastructure(manifest.metadata().name(), file, manifest, merged.get("spec"), doc.sourceMap(),
                    Json.toMap(variables));
        } catch (InvalidInputException e) {
            diagnostics.addAll(e.diagnostics());
            return null;
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            diagnostics.add(new Diagnostic(Location.file(file), "bad-value", e.getOriginalMessage(),
                    "check the value types against schema/infrastructure.schema.json"));
            return null;
        }
    }

    private List<SharedApplication> loadSharedApplications(Path dir, List<Diagnostic> diagnostics) {
        if (!Files.isDirectory(dir)) return List.of();
        var apps = new ArrayList<SharedApplication>();
        for (var file : yamlFiles(dir)) {
            try {
                var doc = yaml.read(file);
                var probe = Json.MAPPER.createObjectNode();
                probe.put("apiVersion", "cairn.dev/v1").put("kind", "Infrastructure");
                probe.putObject("metadata").put("name", "shared");
                probe.putObject("spec").putArray("applications").add(doc.root());
                var problems = SchemaCheck.INFRASTRUCTURE.check(probe, doc.sourceMap(),
                        p -> p.startsWith("/spec/applications/0") ? p.substring("/spec/applications/0".length()) : p);
                if (!problems.isEmpty()) {
                    diagnostics.addAll(problems);
                    continue;
                }
                apps.add(new SharedApplication(Json.MAPPER.treeToValue(doc.root(), ApplicationSpec.class), doc.root(), doc.sourceMap()));
            } catch (InvalidInputException e) {
                diagnostics.addAll(e.diagnostics());
            } catch (JsonProcessingException e) {
                diagnostics.add(new Diagnostic(Location.file(file), "bad-value", e.getOriginalMessage(), null));
            }
        }
        return apps;
    }

    static List<Path> yamlFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> {
                        var name = p.getFileName().toString();
                        return (name.endsWith(".yaml") || name.endsWith(".yml")) && !name.startsWith(".");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
