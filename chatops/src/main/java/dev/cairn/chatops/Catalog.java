package dev.cairn.chatops;

import dev.cairn.reconciler.manifest.RepositoryLoader;
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
 * through {@link RepositoryLoader} and cached for {@code ttl} (per warm container). The commit a
 * command runs is the checkout's {@code HEAD} (the tracked branch head; with a {@link GitCheckout}
 * fetched at each refresh).
 */
public final class Catalog {
    public record Entry(String name, Spec.PolicySpec policy, String channel) {
    }

    public record View(String commit, String ref, Map<String, Entry> infrastructures) {
    }

    private final Path root;
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
        this.root = root.toAbsolutePath().normalize();
        this.refresh = refresh;
        this.ttl = ttl;
        this.clock = clock;
    }

    public synchronized View view() {
        var now = clock.instant();
        if (cached != null && readAt.plus(ttl).isAfter(now)) return cached;
        refresh.run();
        var repo = new RepositoryLoader().loadValid(root);
        var entries = new TreeMap<String, Entry>();
        repo.infrastructures().forEach((name, infra) -> {
            var spec = infra.spec();
            var slack = spec.notifications() == null ? null : spec.notifications().slack();
            entries.put(name, new Entry(name, spec.policy(), slack == null ? null : slack.channel()));
        });
        cached = new View(head(), "refs/heads/" + repo.config().branch(), Map.copyOf(entries));
        readAt = now;
        return cached;
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
