package dev.cairn.reconciler.change;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.reconciler.diag.Diagnostic;
import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.reconciler.diag.Location;
import dev.cairn.reconciler.graph.BuiltinStages;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.manifest.RepoConfig;
import dev.cairn.reconciler.manifest.RepositoryLoader;
import dev.cairn.reconciler.manifest.YamlDocument;
import dev.cairn.reconciler.manifest.YamlReader;
import dev.cairn.reconciler.module.ModuleSource;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the infrastructures consume at one commit, read the way {@link RepositoryLoader} reads a
 * checkout: {@code cairn.yaml}, the manifests under its infrastructures folder, the shared
 * applications and the folders of local modules. Files are parsed on demand and only once per
 * blob ({@code parsed} is shared between the two commits compared).
 */
final class Snapshot {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** A local module source in a module's own .tf files: {@code source = "../common"}. */
    private static final Pattern TF_LOCAL_SOURCE = Pattern.compile("(?m)^\\s*source\\s*=\\s*\"(\\.\\.?/[^\"]*)\"");

    /** A manifest file; {@code root} is null when it does not parse as one YAML document. */
    record ManifestFile(String path, JsonNode root, String name) {
    }

    /** A shared application: its name, who it goes to, and what the rendered Application is made of. */
    record SharedApp(String path, String name, JsonNode appliesTo, JsonNode content) {
        boolean appliesTo(String infrastructure) {
            if (!appliesTo.isArray() || appliesTo.isEmpty()) return true;
            for (var name : appliesTo) if (name.asText().equals(infrastructure)) return true;
            return false;
        }
    }

    final String commit;
    final GitTree tree;
    final JsonNode defaults;
    final JsonNode variables;
    final JsonNode terraform;
    private final Config dirs;
    private final Map<ObjectId, Optional<JsonNode>> parsed;
    private List<SharedApp> sharedApps;
    private final Map<String, Map<String, ObjectId>> moduleClosures = new HashMap<>();

    private Snapshot(String commit, GitTree tree, Config config, Map<ObjectId, Optional<JsonNode>> parsed) {
        this.commit = commit;
        this.tree = tree;
        var root = config.root();
        this.defaults = root.path("defaults").isObject() ? root.get("defaults") : NODES.objectNode();
        this.variables = root.path("variables").isObject() ? root.get("variables") : NODES.objectNode();
        this.terraform = root.path("terraform").isObject() ? root.get("terraform") : NODES.objectNode();
        this.dirs = config;
        this.parsed = parsed;
    }

    /** @throws InvalidInputException when {@code cairn.yaml} at this commit cannot be used */
    static Snapshot of(String commit, GitTree tree, Map<ObjectId, Optional<JsonNode>> parsed) {
        return new Snapshot(commit, tree, readConfig(commit, tree), parsed);
    }

    /** {@code cairn.yaml} read and typed, with its folders made repo-relative. */
    record Config(RepoConfig config, JsonNode root, String infrastructuresDir, String modulesDir, String applicationsDir) {
    }

    /** {@code cairn.yaml} at this commit ({@link RepoConfig#DEFAULT} when absent); never the rest of the repo. */
    static Config readConfig(String commit, GitTree tree) {
        var name = RepositoryLoader.CONFIG_FILE;
        var file = Path.of(name);
        var entry = tree.entry(name).orElse(null);
        if (entry == null) return new Config(RepoConfig.DEFAULT, NODES.objectNode(), "infrastructures", "modules", "applications");
        if (entry.isSymlink()) entry = tree.followSymlink(entry).orElseThrow(() -> invalid(commit, new Diagnostic(Location.file(file),
                "file-unreadable", "cairn.yaml is a symbolic link that does not point at a file in the repository",
                "make cairn.yaml a regular file")));
        if (!entry.isFile()) throw invalid(commit, new Diagnostic(Location.file(file), "file-unreadable",
                "cairn.yaml is not a file", "cairn.yaml at the repo root must be a YAML file"));
        var text = tree.text(entry.id()).orElseThrow(() -> invalid(commit, new Diagnostic(Location.file(file), "file-unreadable",
                "cairn.yaml is larger than " + GitTree.MAX_BLOB / (1024 * 1024) + " MB", "keep cairn.yaml small")));
        YamlDocument doc;
        try {
            doc = new YamlReader().read(file, text);
        } catch (InvalidInputException e) {
            throw invalid(commit, e.diagnostics().toArray(Diagnostic[]::new));
        }
        RepoConfig config;
        try {
            config = Json.MAPPER.treeToValue(doc.root(), RepoConfig.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            var message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw invalid(commit, new Diagnostic(Location.file(file), "bad-value", message, "see schema/repository.schema.json"));
        }
        if (config == null) config = RepoConfig.DEFAULT;
        return new Config(config, doc.root(), folder(commit, doc, "infrastructures", config.infrastructures()),
                folder(commit, doc, "modules", config.modules()), folder(commit, doc, "applications", config.applications()));
    }

    private static String folder(String commit, YamlDocument doc, String key, String value) {
        return GitTree.normalize(value).orElseThrow(() -> invalid(commit, new Diagnostic(doc.sourceMap().value("/" + key),
                "bad-value", "`" + key + ": " + value + "` is not a folder inside the repository",
                "use a path relative to the repo root, without `..` above it")));
    }

    private static InvalidInputException invalid(String commit, Diagnostic... diagnostics) {
        var out = new ArrayList<Diagnostic>();
        for (var d : diagnostics) {
            out.add(new Diagnostic(d.location(), d.rule(), d.message() + " (at commit " + abbreviate(commit) + ")", d.hint()));
        }
        return new InvalidInputException(out);
    }

    static String abbreviate(String commit) {
        return commit.length() > 12 ? commit.substring(0, 12) : commit;
    }

    // ---------------------------------------------------------------- manifests

    /** Every manifest under the infrastructures folder, in path order (as the loader finds them). */
    List<ManifestFile> manifests() {
        var entries = tree.files(dirs.infrastructuresDir()).stream().filter(e -> isYaml(e.path())).toList();
        var blobs = entries.stream().map(e -> content(e).orElse(null)).toList();
        parseAll(blobs);
        var out = new ArrayList<ManifestFile>();
        for (int i = 0; i < entries.size(); i++) {
            var blob = blobs.get(i);
            var root = blob == null ? null : parsed.get(blob).orElse(null);
            out.add(new ManifestFile(entries.get(i).path(), root, nameOf(root, entries.get(i).path())));
        }
        return out;
    }

    /**
     * Parses the blobs not parsed yet: read one after the other (an {@link ObjectReader} is not
     * thread-safe), parsed in parallel (a hundred manifests are most of a cold call's time).
     */
    private void parseAll(List<ObjectId> blobs) {
        var texts = new LinkedHashMap<ObjectId, Optional<String>>();
        for (var blob : blobs) {
            if (blob != null && !parsed.containsKey(blob) && !texts.containsKey(blob)) texts.put(blob, tree.text(blob));
        }
        var results = texts.entrySet().parallelStream()
                .collect(Collectors.toConcurrentMap(Map.Entry::getKey, e -> e.getValue().flatMap(text -> parse(e.getKey(), text))));
        parsed.putAll(results);
    }

    private static Optional<JsonNode> parse(ObjectId blob, String text) {
        try {
            return Optional.of(new YamlReader().read(Path.of(blob.name()), text).root());
        } catch (InvalidInputException e) {
            return Optional.empty();
        }
    }

    private static boolean isYaml(String path) {
        var name = path.substring(path.lastIndexOf('/') + 1);
        return (name.endsWith(".yaml") || name.endsWith(".yml")) && !name.startsWith(".");
    }

    /** The blob a file's content is in: itself, or the file a symlink points to inside the repo. */
    private Optional<ObjectId> content(GitTree.Entry entry) {
        if (entry.isFile()) return Optional.of(entry.id());
        if (entry.isSymlink()) return tree.followSymlink(entry).map(GitTree.Entry::id);
        return Optional.empty();
    }

    /** {@code metadata.name}, or the file name without its extension. */
    static String nameOf(JsonNode root, String path) {
        var name = root == null ? null : root.path("metadata").path("name");
        if (name != null && name.isTextual() && !name.asText().isBlank()) return name.asText();
        var file = path.substring(path.lastIndexOf('/') + 1);
        return file.substring(0, file.lastIndexOf('.'));
    }

    /** The manifest as the run sees it: {@code spec} with the repo defaults merged under it (the loader's rule). */
    static JsonNode effective(JsonNode root, JsonNode defaults) {
        if (!(root instanceof ObjectNode object)) return root;
        var merged = object.deepCopy();
        var spec = object.path("spec");
        merged.set("spec", spec.isObject() ? Json.merge(defaults, spec) : spec.isMissingNode() ? defaults : spec);
        return merged;
    }

    /** {@code vars.*} as the infrastructure's templates see them: repo variables, then its own. */
    JsonNode visibleVariables(JsonNode effective) {
        return Json.merge(variables, effective.path("spec").path("variables"));
    }

    // ---------------------------------------------------------------- shared applications

    /** The shared applications that go to {@code infrastructure}, by name. */
    Map<String, List<JsonNode>> applicationsFor(String infrastructure) {
        var out = new TreeMap<String, List<JsonNode>>();
        for (var app : sharedApps()) {
            if (app.appliesTo(infrastructure)) out.computeIfAbsent(app.name(), k -> new ArrayList<>()).add(app.content());
        }
        return out;
    }

    private List<SharedApp> sharedApps() {
        if (sharedApps != null) return sharedApps;
        var apps = new ArrayList<SharedApp>();
        var entries = tree.files(dirs.applicationsDir()).stream().filter(e -> isYaml(e.path())).toList();
        parseAll(entries.stream().map(e -> content(e).orElse(null)).toList());
        for (var entry : entries) {
            var blob = content(entry);
            var root = blob.flatMap(parsed::get).orElse(null);
            if (root instanceof ObjectNode object) {
                var content = object.deepCopy();
                var appliesTo = content.remove("infrastructures");
                var name = object.path("name").isTextual() && !object.get("name").asText().isBlank()
                        ? object.get("name").asText() : stem(entry.path());
                apps.add(new SharedApp(entry.path(), name, appliesTo == null ? NODES.missingNode() : appliesTo, content));
            } else {
                // not an application Cairn can read: it may go to anyone; its bytes are what it is
                apps.add(new SharedApp(entry.path(), stem(entry.path()), NODES.missingNode(),
                        NODES.textNode("unreadable " + blob.map(ObjectId::name).orElse(entry.id().name()))));
            }
        }
        sharedApps = apps;
        return apps;
    }

    private static String stem(String path) {
        return nameOf(null, path);
    }

    // ---------------------------------------------------------------- local modules

    /** Built-in stage sections and custom modules that are enabled, by stage name, with their local module folder. */
    Map<String, String> localModules(JsonNode effective) {
        var spec = effective.path("spec");
        var out = new LinkedHashMap<String, String>();
        for (var stage : BuiltinStages.NAMES) {
            var section = spec.path(stage);
            if (section.isObject() && enabled(section)) localFolder(section).ifPresent(dir -> out.put(stage, dir));
        }
        for (var module : spec.path("modules")) {
            if (module.isObject() && enabled(module) && module.path("name").isTextual()) {
                localFolder(module).ifPresent(dir -> out.putIfAbsent(module.get("name").asText(), dir));
            }
        }
        return out;
    }

    static boolean enabled(JsonNode section) {
        return !section.path("enabled").isBoolean() || section.get("enabled").asBoolean();
    }

    /** The repo folder a stage's {@code source} names, when it is a local module inside the repo. */
    private Optional<String> localFolder(JsonNode section) {
        var source = section.path("source");
        if (!source.isTextual()) return Optional.empty();
        try {
            var parsedSource = ModuleSource.parse(source.asText(), null, Path.of(""), Path.of(dirs.modulesDir().isEmpty() ? "." : dirs.modulesDir()));
            if (!(parsedSource instanceof ModuleSource.Local local)) return Optional.empty();
            return GitTree.normalize(local.dir().toString());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The folder of a local module and the local modules its own .tf files use
     * ({@code source = "../common"}), transitively, each with its tree id (a submodule: its commit; null when missing).
     */
    Map<String, ObjectId> moduleClosure(String dir) {
        var cached = moduleClosures.get(dir);
        if (cached != null) return cached;
        var out = new TreeMap<String, ObjectId>();
        var pending = new ArrayList<String>(List.of(dir));
        while (!pending.isEmpty()) {
            var next = pending.remove(pending.size() - 1);
            if (out.containsKey(next)) continue;
            var id = tree.moduleId(next);
            out.put(next, id);
            if (tree.folderId(next) == null) continue; // missing, or a submodule: its commit id is all there is
            for (var file : tree.filesIn(next)) {
                if (!file.isFile() || !file.path().endsWith(".tf")) continue;
                var matcher = TF_LOCAL_SOURCE.matcher(tree.text(file.id()).orElse(""));
                while (matcher.find()) GitTree.resolve(next, matcher.group(1)).ifPresent(pending::add);
            }
        }
        moduleClosures.put(dir, out);
        return out;
    }
}
