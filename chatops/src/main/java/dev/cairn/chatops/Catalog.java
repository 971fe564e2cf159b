package dev.cairn.chatops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cairn.reconciler.manifest.RepoPath;
import dev.cairn.reconciler.manifest.RepositoryLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.cairn.reconciler.manifest.Spec;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which infrastructures exist and their policies, read from a checkout of the infrastructure repo
 * and cached for {@code ttl} (per warm container). A small read-only view, not the full
 * {@link RepositoryLoader}: only {@code cairn.yaml}'s folder, branch and {@code defaults}, and each
 * manifest's {@code metadata.name}, {@code spec.policy} and {@code spec.notifications} (defaults
 * merged under them, as the loader merges them). Schema validation and templating stay with the run
 * (they cost the ack path about a second of class loading); a manifest that does not parse is
 * left out and logged. The commit a
 * command runs is the checkout's {@code HEAD} (the tracked branch head; with a {@link GitCheckout}
 * fetched at each refresh). With a repository path ({@code CAIRN_REPO_PATH}), {@code cairn.yaml}
 * and the folders it names are read under that folder of the checkout.
 */
public final class Catalog {
    private static final Logger LOG = LoggerFactory.getLogger(Catalog.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public record Entry(String name, Spec.PolicySpec policy, String channel) {
    }

    public record View(String commit, String ref, Map<String, Entry> infrastructures) {
    }

    private final Path root;
    private final RepoPath repoPath;
    private final Runnable refresh;
    private final Duration ttl;
    private final Clock clock;
    private View cached;
    private Instant readAt = Instant.MIN;

    public Catalog(Path root, Duration ttl, Clock clock) {
        this(root, () -> { }, ttl, clock);
    }

    /** @param refresh brings the checkout up to date before each read (a git fetch), or does nothing */
    public Catalog(Path root, Runnable refresh, Duration ttl, Clock clock) {
        this(root, RepoPath.ROOT, refresh, ttl, clock);
    }

    /**
     * @param root     the work tree (its {@code .git} gives the commit)
     * @param repoPath the folder of it that holds {@code cairn.yaml}
     */
    public Catalog(Path root, RepoPath repoPath, Runnable refresh, Duration ttl, Clock clock) {
        this.root = root.toAbsolutePath().normalize();
        this.repoPath = java.util.Objects.requireNonNull(repoPath, "repoPath");
        this.refresh = refresh;
        this.ttl = ttl;
        this.clock = clock;
    }

    public synchronized View view() {
        var now = clock.instant();
        if (cached != null && readAt.plus(ttl).isAfter(now)) return cached;
        refresh.run();
        // checked at each read: the folder (or a link on its way) may have changed with the checkout
        var top = repoPath.resolveIn(root);
        if (!Files.isDirectory(top)) {
            throw new IllegalStateException("the repository path " + repoPath.value() + " (" + RepoPath.VARIABLE + ") is not a folder of the checkout");
        }
        var config = read(top.resolve(RepositoryLoader.CONFIG_FILE));
        var defaults = config.path("defaults");
        var folder = top.resolve(config.path("infrastructures").asText("infrastructures")).normalize();
        if (!folder.startsWith(top) || !Files.isDirectory(folder)) {
            throw new IllegalStateException("the infrastructures folder of " + RepositoryLoader.CONFIG_FILE + " does not exist: " + root.relativize(folder));
        }
        var entries = new TreeMap<String, Entry>();
        try (var files = Files.list(folder)) {
            for (var file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList()) {
                JsonNode manifest;
                try {
                    manifest = read(file);
                } catch (RuntimeException broken) {
                    LOG.warn("skipping {}: it does not parse ({}); `cairn validate` says why", root.relativize(file), broken.getClass().getSimpleName());
                    continue;
                }
                var name = manifest.path("metadata").path("name").asText("");
                if (name.isBlank() || !"Infrastructure".equals(manifest.path("kind").asText())) continue;
                var policy = merge(defaults.path("policy"), manifest.path("spec").path("policy"));
                var notifications = merge(defaults.path("notifications"), manifest.path("spec").path("notifications"));
                Spec.PolicySpec spec;
                try {
                    spec = policy(policy);
                } catch (IllegalArgumentException malformed) {
                    // an unreadable policy never becomes an open one: the infrastructure is left out
                    LOG.warn("skipping {}: its spec.policy is malformed; `cairn validate` says why", root.relativize(file));
                    continue;
                }
                var channel = notifications == null ? null : notifications.path("slack").path("channel").asText(null);
                entries.putIfAbsent(name, new Entry(name, spec, channel));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + folder, e);
        }
        cached = new View(head(), "refs/heads/" + config.path("branch").asText("main"), Map.copyOf(entries));
        readAt = now;
        return cached;
    }

    /** The policy's four fields, read by hand: the data-binding machinery costs the cold start more than it saves. */
    static Spec.PolicySpec policy(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) return new Spec.PolicySpec(null, null, null, null);
        if (!node.isObject()) throw new IllegalArgumentException("spec.policy is not an object");
        return new Spec.PolicySpec(text(node, "apply"), list(node, "approvers"), list(node, "operators"), text(node, "destroy"));
    }

    private static String text(JsonNode node, String field) {
        var value = node.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isValueNode()) throw new IllegalArgumentException("spec.policy." + field + " is not a value");
        return value.asText();
    }

    private static java.util.List<String> list(JsonNode node, String field) {
        var value = node.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isArray()) throw new IllegalArgumentException("spec.policy." + field + " is not a list");
        var out = new java.util.ArrayList<String>();
        for (var item : value) {
            if (!item.isValueNode()) throw new IllegalArgumentException("spec.policy." + field + " holds a non-value");
            out.add(item.asText());
        }
        return java.util.List.copyOf(out);
    }

    /** Deep merge as the loader merges defaults: objects key by key, anything else in {@code over} wins. */
    static JsonNode merge(JsonNode base, JsonNode over) {
        if (base == null || base.isMissingNode() || base.isNull()) return over;
        if (over == null || over.isMissingNode()) return base;
        if (!(base instanceof com.fasterxml.jackson.databind.node.ObjectNode b) || !(over instanceof com.fasterxml.jackson.databind.node.ObjectNode o)) return over;
        var result = b.deepCopy();
        o.properties().forEach(e -> result.set(e.getKey(), merge(result.get(e.getKey()), e.getValue())));
        return result;
    }

    private static JsonNode read(Path file) {
        try {
            var node = YAML.readTree(file.toFile());
            return node == null ? YAML.createObjectNode() : node;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file.getFileName() + ": " + e.getClass().getSimpleName());
        }
    }

    private String head() {
        if (!Files.exists(root.resolve(".git"))) return "0".repeat(40);
        try (var git = new FileRepositoryBuilder().setGitDir(root.resolve(".git").toFile()).setMustExist(true).build()) {
            var id = git.resolve(Constants.HEAD);
            return id == null ? "0".repeat(40) : id.name();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read HEAD of " + root, e);
        }
    }
}
