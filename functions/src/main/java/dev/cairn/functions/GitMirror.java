package dev.cairn.functions;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.SystemReader;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Bare clones of infrastructure repos under one cache folder ({@code /tmp} in Lambda), one per
 * repository URL (the folder is named by the URL's hash), kept across warm invocations so that a
 * push fetches only the objects it added. Only the pushed ref is fetched, and fetched objects are
 * checked ({@code fsck}). A token for private repos goes through a {@link CredentialsProvider},
 * never into a URL, a folder name or a message.
 */
public final class GitMirror {
    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();
    private static boolean jgitPrepared;

    private final Path cacheDir;
    private final Supplier<Optional<String>> token;
    private final String username;

    /**
     * @param token    a token for HTTPS repos, or empty for public ones and {@code file://} test repos;
     *                 asked for at each fetch (it may come from a cached secret)
     * @param username the user name sent with the token ({@code x-access-token} for GitHub, {@code oauth2} for GitLab)
     */
    public GitMirror(Path cacheDir, Supplier<Optional<String>> token, String username) {
        this.cacheDir = cacheDir.toAbsolutePath().normalize();
        prepareJGit(this.cacheDir);
        this.token = token;
        this.username = username;
    }

    /** What a fetch brought: the repository (close it) and whether {@code before} is present. */
    public record Fetched(Repository repository, ObjectId after, ObjectId before) implements AutoCloseable {
        @Override
        public void close() {
            repository.close();
        }
    }

    /** A URL Cairn refuses to fetch (scheme other than https, http or file; credentials in it; {@code ext::} transports). */
    public static final class RefusedUrlException extends RuntimeException {
        public RefusedUrlException(String message) {
            super(message);
        }
    }

    /**
     * Fetches {@code ref} of {@code url} into the cached bare clone and returns it opened.
     *
     * @param before the older commit, or {@code null}; when the fetch did not bring it (a force
     *               push, a new branch), {@link Fetched#before()} is {@code null}
     */
    public Fetched fetch(String url, String ref, String after, String before) throws IOException, GitAPIException {
        var uri = checkedUri(url);
        var dir = cacheDir.resolve(hash(url) + ".git");
        synchronized (LOCKS.computeIfAbsent(dir, d -> new Object())) {
            var repo = openBare(dir);
            try {
                var afterId = ObjectId.fromString(after);
                if (!repo.getObjectDatabase().has(afterId)) {
                    var target = "refs/cairn/" + ref.substring("refs/".length());
                    var fetch = Git.wrap(repo).fetch()
                            .setRemote(uri.toString())
                            .setRefSpecs(new RefSpec("+" + ref + ":" + target))
                            .setCheckFetchedObjects(true)
                            .setTimeout(8);
                    token.get().ifPresent(t -> fetch.setCredentialsProvider(new UsernamePasswordCredentialsProvider(username, t)));
                    fetch.call();
                }
                if (!repo.getObjectDatabase().has(afterId)) {
                    throw new IOException("commit " + after + " is not on " + ref + " of the repository (pushed and then force-pushed over?)");
                }
                ObjectId beforeId = null;
                if (before != null) {
                    var id = ObjectId.fromString(before);
                    if (repo.getObjectDatabase().has(id)) beforeId = id;
                }
                return new Fetched(repo, afterId, beforeId);
            } catch (IOException | GitAPIException | RuntimeException e) {
                repo.close();
                throw e;
            }
        }
    }

    /**
     * Fetches the tip of {@code ref} ({@code refs/heads/BRANCH}, or {@code HEAD}: the remote's
     * default branch) into the cached bare clone and returns it opened, {@link Fetched#after()}
     * being that tip. What the scheduled reconcile uses, which knows a branch and not a commit.
     */
    public Fetched fetchTip(String url, String ref) throws IOException, GitAPIException {
        if (!ref.equals("HEAD") && !ref.startsWith("refs/heads/")) {
            throw new IllegalArgumentException("not a branch ref: " + ref + " (refs/heads/NAME or HEAD)");
        }
        var uri = checkedUri(url);
        var dir = cacheDir.resolve(hash(url) + ".git");
        synchronized (LOCKS.computeIfAbsent(dir, d -> new Object())) {
            var repo = openBare(dir);
            try {
                var target = ref.equals("HEAD") ? "refs/cairn/remote-HEAD" : "refs/cairn/" + ref.substring("refs/".length());
                var fetch = Git.wrap(repo).fetch()
                        .setRemote(uri.toString())
                        .setRefSpecs(new RefSpec("+" + ref + ":" + target))
                        .setCheckFetchedObjects(true)
                        .setTimeout(8);
                token.get().ifPresent(t -> fetch.setCredentialsProvider(new UsernamePasswordCredentialsProvider(username, t)));
                fetch.call();
                var tip = repo.resolve(target);
                if (tip == null) throw new IOException("the repository has no " + (ref.equals("HEAD") ? "default branch (HEAD)" : ref));
                return new Fetched(repo, tip, null);
            } catch (IOException | GitAPIException | RuntimeException e) {
                repo.close();
                throw e;
            }
        }
    }

    /** The cached bare clone in {@code dir}, created empty the first time. */
    private static Repository openBare(Path dir) throws IOException, GitAPIException {
        if (!Files.isDirectory(dir.resolve("objects"))) {
            Files.createDirectories(dir);
            Git.init().setBare(true).setGitDir(dir.toFile()).setDirectory(dir.toFile()).call().close();
        }
        return new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).build();
    }

    /**
     * JGit measures the file system's timestamp resolution on first use and saves it in its user
     * config; in Lambda the home folder is not writable, so it measured again on every cold start
     * (about 3 s here) and logged two errors. Measure in the background (JGit's conservative
     * defaults meanwhile) and, when the home folder cannot be written, keep JGit's own config in
     * the cache folder. Done once per JVM; a writable home (the CLI) keeps JGit's usual config.
     */
    private static synchronized void prepareJGit(Path cacheDir) {
        if (jgitPrepared) return;
        jgitPrepared = true;
        FS.FileStoreAttributes.setBackground(true);
        var home = System.getProperty("user.home", "");
        if (!home.isBlank() && Files.isWritable(Path.of(home))) return;
        var jgitConfig = cacheDir.resolve(".config").resolve("jgit").resolve("config").toFile();
        SystemReader.setInstance(new SystemReader.Delegate(SystemReader.getInstance()) {
            @Override
            public FileBasedConfig openJGitConfig(Config parent, FS fs) {
                return new FileBasedConfig(parent, jgitConfig, fs);
            }
        });
    }

    public static URIish checkedUri(String url) {
        URIish uri;
        try {
            uri = new URIish(url);
        } catch (URISyntaxException e) {
            throw new RefusedUrlException("the repository URL is not a git URL");
        }
        var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http") || scheme.equals("file"))
                || url.contains("::") || uri.getUser() != null || uri.getPass() != null) {
            throw new RefusedUrlException("refusing repository URL scheme '" + scheme
                    + "': only https, http and file URLs without credentials are fetched (a token goes in CAIRN_GIT_TOKEN)");
        }
        return uri;
    }

    private static String hash(String url) {
        try {
            var digest = MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The default cache folder: {@code TMPDIR/cairn-git}. */
    public static Path defaultCacheDir() {
        return Path.of(System.getProperty("java.io.tmpdir"), "cairn-git");
    }
}
