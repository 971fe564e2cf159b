package dev.cairn.reconciler.module;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.reconciler.manifest.Json;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Puts a module's files into a stage work dir: copies a local or built-in folder, checks a git
 * ref out of a cached bare clone (JGit, no git binary needed), or writes a wrapper root module
 * around a registry module.
 */
public final class ModuleFetcher {
    /** Files Cairn writes into the work dir itself; a module's own copies would clash. */
    public static final Set<String> GENERATED = Set.of("cairn_backend.tf.json", "cairn_provider.tf.json",
            "cairn.auto.tfvars.json", "cairn_outputs.tf.json", "cairn_override.tf.json");

    private final Path gitCache;
    private final BuiltinModules builtins;
    private final Map<String, Object> urlLocks = new ConcurrentHashMap<>();
    private final Set<String> fetchedThisProcess = ConcurrentHashMap.newKeySet();
    /** Scanned interfaces by folder, reused while the folder's *.tf files keep their names, sizes and mtimes. */
    private final Map<Path, ScannedInterface> scanned = new ConcurrentHashMap<>();

    private record ScannedInterface(String fingerprint, ModuleInterface iface) {
    }

    /** Plain {@code http://} git remotes are refused unless this environment variable is {@code true}. */
    public static final String ALLOW_HTTP_ENV = "CAIRN_ALLOW_HTTP_MODULES";

    private final boolean allowHttp;

    /** Plain-http remotes allowed only when {@value #ALLOW_HTTP_ENV} is {@code true}. */
    public ModuleFetcher(Path gitCache, BuiltinModules builtins) {
        this(gitCache, builtins, "true".equalsIgnoreCase(System.getenv(ALLOW_HTTP_ENV)));
    }

    /** @param allowHttp whether {@code git::http://} sources (no TLS: anyone on the path can swap the code) are fetched */
    public ModuleFetcher(Path gitCache, BuiltinModules builtins, boolean allowHttp) {
        this.gitCache = gitCache;
        this.builtins = builtins;
        this.allowHttp = allowHttp;
    }

    /** Whether {@code git::http://} sources may be fetched. */
    public boolean allowsHttp() {
        return allowHttp;
    }

    /** True for a git source over plain http (no TLS). */
    public static boolean isPlainHttp(ModuleSource source) {
        return source instanceof ModuleSource.Git git && git.url().regionMatches(true, 0, "http://", 0, 7);
    }

    /** Copies the module into {@code dest} (which holds only Terraform's own data afterwards besides the module). */
    public void materialize(ModuleSource source, Path dest, Map<String, Object> inputs) {
        try {
            if (Files.isSymbolicLink(dest)) throw new ModuleException("refusing to write the module into " + dest + ": it is a symlink");
            Files.createDirectories(dest);
            clearModuleFiles(dest);
            switch (source) {
                case ModuleSource.Local local -> {
                    if (!Files.isDirectory(local.dir())) throw new ModuleException("module folder " + local.dir() + " does not exist");
                    copyTree(local.dir(), dest);
                }
                case ModuleSource.Builtin builtin -> {
                    var dir = builtins.resolve(builtin.path());
                    if (dir == null) throw new ModuleException("Cairn has no built-in module `cairn://" + builtin.path() + "`");
                    copyTree(dir, dest);
                }
                case ModuleSource.Git git -> checkoutGit(git, dest);
                case ModuleSource.Registry registry -> writeRegistryWrapper(registry, dest, inputs);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the module declares, for a source that can be read before Terraform runs. */
    public ModuleInterface inspect(ModuleSource source) {
        return switch (source) {
            case ModuleSource.Local local -> Files.isDirectory(local.dir()) ? scan(local.dir()) : ModuleInterface.UNKNOWN;
            case ModuleSource.Builtin builtin -> {
                var dir = builtins.resolve(builtin.path());
                yield dir == null ? ModuleInterface.UNKNOWN : scan(dir);
            }
            default -> ModuleInterface.UNKNOWN;
        };
    }

    /** {@link ModuleInterface#scan}, once per folder content: a repo's manifests mostly share a few modules. */
    private ModuleInterface scan(Path dir) {
        var fingerprint = ModuleInterface.fingerprint(dir);
        var hit = scanned.get(dir);
        if (hit != null && hit.fingerprint().equals(fingerprint)) return hit.iface();
        var iface = ModuleInterface.scan(dir);
        scanned.put(dir, new ScannedInterface(fingerprint, iface));
        return iface;
    }

    public boolean exists(ModuleSource source) {
        return switch (source) {
            case ModuleSource.Local local -> Files.isDirectory(local.dir());
            case ModuleSource.Builtin builtin -> builtins.resolve(builtin.path()) != null;
            default -> true;
        };
    }

    /**
     * For a registry wrapper, after {@code terraform init} downloaded the module: re-export every
     * output of the inner module as an output of the stage.
     */
    public void exportRegistryOutputs(Path workDir) {
        var modulesJson = workDir.resolve(".terraform/modules/modules.json");
        if (!Files.exists(modulesJson)) return;
        try {
            var tree = Json.MAPPER.readTree(modulesJson.toFile());
            for (var module : tree.path("Modules")) {
                if (!"this".equals(module.path("Key").asText())) continue;
                var dir = workDir.resolve(module.path("Dir").asText());
                var outputs = Json.MAPPER.createObjectNode();
                for (var name : ModuleInterface.scan(dir).outputs()) {
                    outputs.putObject(name).put("value", "${module.this." + name + "}")
                            .put("sensitive", SensitiveOutputs.isSensitive(dir, name));
                }
                var root = Json.MAPPER.createObjectNode();
                root.set("output", outputs);
                Files.writeString(workDir.resolve("cairn_outputs.tf.json"), Json.MAPPER.writeValueAsString(root));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeRegistryWrapper(ModuleSource.Registry registry, Path dest, Map<String, Object> inputs) throws IOException {
        var root = Json.MAPPER.createObjectNode();
        var variables = root.putObject("variable");
        ObjectNode module = root.putObject("module").putObject("this");
        module.put("source", registry.address());
        if (registry.version() != null) module.put("version", registry.version());
        for (var name : inputs.keySet()) {
            variables.putObject(name);
            module.put(name, "${var." + name + "}");
        }
        Files.writeString(dest.resolve("main.tf.json"), Json.MAPPER.writeValueAsString(root));
    }

    private void checkoutGit(ModuleSource.Git git, Path dest) throws IOException {
        if (isPlainHttp(git) && !allowHttp) {
            throw new ModuleException("refusing to fetch " + git.url() + " over plain http (no TLS); use https, or set "
                    + ALLOW_HTTP_ENV + "=true to allow it");
        }
        var cache = gitCache.resolve(sha1(git.url()));
        var credentials = credentials(git);
        synchronized (urlLocks.computeIfAbsent(git.url(), k -> new Object())) {
            try {
                forgetUntrustedCache(cache, git.url());
                if (!Files.isDirectory(cache.resolve("objects"), LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(cache.getParent());
                    Git.cloneRepository().setURI(git.url()).setBare(true).setDirectory(cache.toFile())
                            .setCredentialsProvider(credentials)
                            .setCloneAllBranches(true).setTransportConfigCallback(ModuleFetcher::checkObjects).call().close();
                    fetchedThisProcess.add(git.url());
                }
                try (var repo = Git.open(cache.toFile())) {
                    var ref = git.ref() == null ? "HEAD" : git.ref();
                    var id = resolve(repo.getRepository(), ref);
                    boolean isBranch = repo.getRepository().exactRef("refs/heads/" + ref) != null || ref.equals("HEAD");
                    if ((id == null || isBranch) && fetchedThisProcess.add(git.url())) {
                        repo.fetch().setRemote("origin").setCredentialsProvider(credentials)
                                .setCheckFetchedObjects(true).setTransportConfigCallback(ModuleFetcher::checkObjects).setRefSpecs(
                                new RefSpec("+refs/heads/*:refs/heads/*"), new RefSpec("+refs/tags/*:refs/tags/*")).call();
                        id = resolve(repo.getRepository(), ref);
                    }
                    if (id == null) {
                        throw new ModuleException("ref `" + ref + "` not found in " + git.url());
                    }
                    extract(repo.getRepository(), id, git.subdir(), dest);
                }
            } catch (GitAPIException e) {
                var message = String.valueOf(e.getMessage());
                if (git.credentials() != null) message = message.replace(git.credentials().secret(), "(sensitive)");
                throw new ModuleException("cannot fetch " + git.url() + ": " + message);
            }
        }
    }

    /**
     * A cache entry is used only when it is a real folder (no symlink) whose origin is this very
     * URL; anything else (planted by a commit, or left by an older Cairn that kept credentials in
     * the URL) is removed and fetched again.
     */
    private static void forgetUntrustedCache(Path cache, String url) throws IOException {
        if (Files.isSymbolicLink(cache)) {
            Files.delete(cache);
            return;
        }
        if (!Files.isDirectory(cache, LinkOption.NOFOLLOW_LINKS)) return;
        String origin = null;
        try (var repo = Git.open(cache.toFile())) {
            origin = repo.getRepository().getConfig().getString("remote", "origin", "url");
        } catch (IOException notARepo) {
            // removed below
        }
        if (!url.equals(origin)) deleteTree(cache);
    }

    /**
     * The credentials for a remote: those written in the source URL, else {@code CAIRN_GIT_TOKEN}
     * (with {@code CAIRN_GIT_USERNAME}, default {@value ModuleSource.GitCredentials#TOKEN_USER}) for
     * https remotes, else none (public repos, ssh with the agent).
     */
    private static CredentialsProvider credentials(ModuleSource.Git git) {
        var given = git.credentials();
        if (given == null && git.url().regionMatches(true, 0, "https://", 0, 8)) {
            var token = System.getenv("CAIRN_GIT_TOKEN");
            if (token != null && !token.isBlank()) {
                var user = System.getenv("CAIRN_GIT_USERNAME");
                given = new ModuleSource.GitCredentials(user == null || user.isBlank() ? ModuleSource.GitCredentials.TOKEN_USER : user, token);
            }
        }
        return given == null ? null : new UsernamePasswordCredentialsProvider(given.user(), given.secret());
    }

    /** fsck every fetched object: a tree entry named {@code ..}, {@code .git} or with a slash is refused. */
    private static void checkObjects(Transport transport) {
        transport.setCheckFetchedObjects(true);
    }

    private static ObjectId resolve(Repository repo, String ref) throws IOException {
        for (var candidate : new String[]{"refs/heads/" + ref, "refs/tags/" + ref, ref}) {
            var id = repo.resolve(candidate + "^{commit}");
            if (id != null) return id;
        }
        return null;
    }

    /**
     * Writes the files of {@code subdir} at {@code commit} into {@code dest}. Every entry is checked
     * where it is joined to {@code dest}, whatever the fetch checked: no {@code ..}, {@code .git},
     * absolute or empty segment, no symlink or submodule, and the target must stay inside {@code dest}.
     */
    static void extract(Repository repo, ObjectId commit, String subdir, Path dest) throws IOException {
        var prefix = subdir == null || subdir.isBlank() ? "" : subdir.replaceAll("^/+|/+$", "") + "/";
        boolean found = prefix.isEmpty();
        var root = dest.toAbsolutePath().normalize();
        try (var walk = new RevWalk(repo); var tree = new TreeWalk(repo)) {
            tree.addTree(walk.parseCommit(commit).getTree());
            tree.setRecursive(true);
            while (tree.next()) {
                var path = tree.getPathString();
                if (!path.startsWith(prefix)) continue;
                found = true;
                var relative = path.substring(prefix.length());
                var mode = tree.getFileMode(0);
                if (mode == FileMode.SYMLINK || mode == FileMode.GITLINK) {
                    throw new ModuleException("the git module has " + (mode == FileMode.SYMLINK ? "a symlink" : "a submodule")
                            + " at `" + path + "`; Cairn does not follow links or submodules in modules");
                }
                var target = containedTarget(root, relative, path);
                Files.createDirectories(target.getParent());
                Files.write(target, repo.open(tree.getObjectId(0)).getBytes(), StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            }
        }
        if (!found) throw new ModuleException("folder `" + subdir + "` not found in the git module");
    }

    /** {@code root/relative}, or a ModuleException when the entry's name could leave {@code root}. */
    static Path containedTarget(Path root, String relative, String shownPath) {
        for (var segment : relative.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.equalsIgnoreCase(".git")) {
                throw new ModuleException("the git module has an entry `" + shownPath + "` that names a path outside its folder; refused");
            }
        }
        var target = root.resolve(relative).normalize();
        if (relative.startsWith("/") || !target.startsWith(root) || target.equals(root)) {
            throw new ModuleException("the git module has an entry `" + shownPath + "` that names a path outside its folder; refused");
        }
        return target;
    }

    private static void clearModuleFiles(Path dest) throws IOException {
        try (Stream<Path> entries = Files.list(dest)) {
            for (var entry : entries.toList()) {
                var name = entry.getFileName().toString();
                if (name.equals(".terraform") || name.equals(".terraform.lock.hcl") || name.endsWith(".tfplan")) continue;
                deleteTree(entry);
            }
        }
    }

    /** Deletes a file or folder; a symlink is deleted itself, its target never touched. */
    public static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(path)) {
            for (var p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** Copies a module folder; a symlink in it is refused, never followed (it could point at any file of the machine). */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (var p : walk.toList()) {
                var rel = from.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    throw new ModuleException("module file " + p + " is a symlink; Cairn does not follow links in modules (copy the file instead)");
                }
                if (rel.isEmpty() || rel.startsWith(".terraform") || rel.contains("/.terraform")
                        || rel.endsWith(".tfstate") || rel.endsWith(".tfstate.backup")) continue;
                if (GENERATED.contains(rel)) continue;
                var target = to.resolve(rel);
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) Files.createDirectories(target);
                else Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
