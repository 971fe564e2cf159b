package dev.cairn.functions.reconcile;

import dev.cairn.functions.GitMirror;
import dev.cairn.reconciler.graph.StageCatalog;
import dev.cairn.reconciler.graph.Stages;
import dev.cairn.reconciler.manifest.RepoConfig;
import dev.cairn.reconciler.manifest.RepoPath;
import dev.cairn.reconciler.manifest.RepositoryLoader;
import dev.cairn.reconciler.module.BuiltinModules;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.store.BlobStore;
import dev.cairn.reconciler.template.TemplateEngine;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Prepare's view of the repository: fetches the run's commit into the function's git cache,
 * writes its tree (regular files only: no symlinks, no submodules) into a scratch folder,
 * stores that snapshot as one zip at {@code snapshots/COMMIT.zip} in the blob store (the stage
 * renderer and the builds read the same files, whatever the branch does meanwhile), and builds the
 * infrastructure's stage DAG from it with the core's loader and stage catalog. The policy gives
 * each stage its approval rule and the provider's {@code roleArn} the role its build assumes.
 *
 * <p>With a repository path ({@code CAIRN_REPO_PATH}, a monorepo's {@code infra/}), the snapshot
 * holds that folder's tree only, its paths relative to it (stored at
 * {@code snapshots/COMMIT/PATH.zip}, so another path never reads it).
 *
 * <p>A preview planned onto its base ({@link Previews#onto}) snapshots the head merged into the
 * base tip instead (an in-memory recursive merge, nothing written to any ref), stored at
 * {@code snapshots/HEAD+TIP.zip}: what merging would apply, not the head's tree, which on a branch
 * behind its base would show the revert of the base's later changes. A merge that conflicts fails
 * Prepare with the conflicting paths and what to do.
 */
public final class RepoStagePlanner implements StagePlanner {
    private final GitMirror mirror;
    private final String repoUrl;
    private final RepoPath repoPath;
    private final Path scratch;
    private final BlobStore blobs;

    public RepoStagePlanner(GitMirror mirror, String repoUrl, Path scratch, BlobStore blobs) {
        this(mirror, repoUrl, RepoPath.ROOT, scratch, blobs);
    }

    /** @param repoPath the folder of the repository that holds {@code cairn.yaml}: what the snapshot holds */
    public RepoStagePlanner(GitMirror mirror, String repoUrl, RepoPath repoPath, Path scratch, BlobStore blobs) {
        this.mirror = mirror;
        this.repoUrl = repoUrl;
        this.repoPath = java.util.Objects.requireNonNull(repoPath, "repoPath");
        this.scratch = scratch;
        this.blobs = blobs;
    }

    public static String snapshotKey(String commit) {
        return "snapshots/" + commit + ".zip";
    }

    /** The snapshot of {@code commit}'s folder {@code path} (the root's is {@link #snapshotKey(String)}). */
    public static String snapshotKey(String commit, RepoPath path) {
        return path.isRoot() ? snapshotKey(commit) : "snapshots/" + commit + "/" + path.value() + ".zip";
    }

    /** What a snapshot is stored under: the commit, or for a preview planned onto its base, {@code HEAD+TIP}. */
    public static String snapshotRevision(String commit, Previews.Onto onto) {
        return onto == null ? commit : commit + "+" + onto.commit();
    }

    /** The snapshot a run's stages render from: its revision's, or for a preview, the merge result Prepare stored. */
    static String snapshotRevision(dev.cairn.reconciler.run.Run run) {
        var onto = Previews.isPreview(run.trigger()) ? Previews.onto(run.trigger()).orElse(null) : null;
        return snapshotRevision(run.revision(), onto);
    }

    /**
     * The tree of {@code head} merged into {@code tip} (the base branch's tip), as the forge's merge
     * would make it: the head's own tree when the tip is already in its history.
     *
     * @throws IllegalArgumentException when the merge conflicts (the paths, and what to do)
     */
    static ObjectId mergedTree(Repository repo, ObjectId head, Previews.Onto onto, ObjectId tip) throws IOException {
        try (var walk = new RevWalk(repo)) {
            var headCommit = walk.parseCommit(head);
            if (walk.isMergedInto(walk.parseCommit(tip), headCommit)) return headCommit.getTree().getId();
        }
        var merger = MergeStrategy.RECURSIVE.newMerger(repo, true);
        if (merger.merge(tip, head)) return merger.getResultTreeId();
        var paths = new java.util.TreeSet<String>();
        if (merger instanceof ResolveMerger resolve) {
            paths.addAll(resolve.getUnmergedPaths());
            if (resolve.getFailingPaths() != null) paths.addAll(resolve.getFailingPaths().keySet());
        }
        var shown = paths.stream().limit(10).collect(Collectors.joining(", "));
        // the conflicting files and what to do first: a commit status keeps only the first 140 characters
        throw new IllegalArgumentException("the head does not merge cleanly into " + onto.branch()
                + (paths.isEmpty() ? "" : " (conflicts in " + shown + (paths.size() > 10 ? ", and " + (paths.size() - 10) + " more" : "") + ")")
                + ": merge " + onto.branch() + " into the branch (or rebase it) and push; a preview plans what merging would apply (head "
                + head.abbreviate(12).name() + ", " + onto.branch() + " at " + tip.abbreviate(12).name() + ")");
    }

    private static ObjectId rootTree(Repository repo, ObjectId commit) throws IOException {
        try (var walk = new RevWalk(repo)) {
            return walk.parseCommit(commit).getTree().getId();
        }
    }

    @Override
    public Planned plan(Request request) throws Exception {
        Files.createDirectories(scratch);
        var dir = Files.createTempDirectory(scratch, "checkout-");
        try {
            var revision = snapshotRevision(request.commit(), request.onto());
            try (var fetched = mirror.fetch(repoUrl, request.ref(), request.commit(), null)) {
                ObjectId tree;
                if (request.onto() == null) {
                    tree = rootTree(fetched.repository(), fetched.after());
                } else {
                    try (var base = mirror.fetch(repoUrl, request.onto().ref(), request.onto().commit(), null)) {
                        tree = mergedTree(base.repository(), fetched.after(), request.onto(), base.after());
                    }
                }
                blobs.put(snapshotKey(revision, repoPath), checkoutTree(fetched.repository(), tree, request.commit(), repoPath, dir));
            }
            var built = stages(dir, request.infrastructure(), request.commit());
            var repo = built.repo();
            var spec = built.stages().infrastructure().spec();
            boolean approval = !spec.policy().autoApply();
            var roleArn = spec.provider() == null || spec.provider().roleArn() == null ? "" : spec.provider().roleArn();
            var previewRoleArn = spec.provider() == null || spec.provider().previewRoleArn() == null ? "" : spec.provider().previewRoleArn();
            var policies = new LinkedHashMap<String, StagePolicy>();
            for (var stage : built.stages().graph().stages()) policies.put(stage, new StagePolicy(approval, roleArn, previewRoleArn));
            var terraform = repo.config().terraform();
            int parallelism = terraform == null ? RepoConfig.Terraform.DEFAULT_PARALLELISM : terraform.parallelismOrDefault();
            return new Planned(built.stages().graph(), parallelism, policies, spec.notifications());
        } finally {
            deleteTree(dir);
        }
    }

    @Override
    public java.util.Optional<byte[]> bundle(dev.cairn.reconciler.run.Run run, String stage,
                                             java.util.Map<String, dev.cairn.reconciler.store.StageOutputs> upstream) throws Exception {
        return render(run, stage, upstream).map(Bundle::zip);
    }

    @Override
    public java.util.Optional<Bundle> render(dev.cairn.reconciler.run.Run run, String stage,
                                             java.util.Map<String, dev.cairn.reconciler.store.StageOutputs> upstream) throws Exception {
        return withSnapshot(run.infrastructure(), snapshotRevision(run), loaded -> new dev.cairn.reconciler.bundle.StageRenderer(catalog(), fetcher(),
                new TemplateEngine(), dev.cairn.reconciler.bundle.StageRenderer.LocalState.IN_WORK_DIR)
                .renderBundleWithReferences(loaded.stages(), stage, dev.cairn.reconciler.bundle.StageRenderer.Upstream.of(upstream), run.id(),
                        run.action().name(), run.revision())
                .map(r -> new Bundle(r.bundle().toZip(), r.referencedOutputs())));
    }

    /** The loaded repo and the infrastructure's stages, from a checkout. */
    record Loaded(dev.cairn.reconciler.manifest.InfrastructureRepo repo, Stages stages) {
    }

    Loaded stages(Path dir, String infrastructure, String commit) {
        var loaded = new RepositoryLoader().load(dir);
        if (!loaded.ok()) {
            // the diagnostics first (file:line:col: rule: text, as `cairn validate` prints them): a status shows the first line
            throw new IllegalArgumentException(loaded.diagnostics().stream().map(d -> inRepo(d, dir)).collect(Collectors.joining("\n"))
                    + "\n(the repository at " + commit + " is invalid)");
        }
        var repo = loaded.repo();
        var infra = repo.infrastructure(infrastructure).orElseThrow(() -> new IllegalArgumentException(
                "no infrastructure named `" + infrastructure + "` at " + commit
                        + " (there are: " + String.join(", ", repo.infrastructures().keySet()) + ")"));
        var built = catalog().build(repo, infra);
        if (!built.diagnostics().isEmpty()) {
            throw new IllegalArgumentException(built.diagnostics().stream().map(d -> inRepo(d, dir)).collect(Collectors.joining("\n"))
                    + "\n(the stages of `" + infrastructure + "` at " + commit + " are invalid)");
        }
        return new Loaded(repo, built.stages());
    }

    /** The diagnostic as {@code cairn validate} prints it, its file relative to the checkout (never the scratch folder). */
    private static String inRepo(dev.cairn.reconciler.diag.Diagnostic diagnostic, Path dir) {
        var location = diagnostic.location();
        if (location == null || location.file() == null) return diagnostic.format();
        var file = Path.of(location.file());
        if (!file.isAbsolute() || !file.normalize().startsWith(dir.normalize())) return diagnostic.format();
        var relative = new dev.cairn.reconciler.diag.Location(dir.normalize().relativize(file.normalize()).toString().replace('\\', '/'),
                location.line(), location.column());
        return new dev.cairn.reconciler.diag.Diagnostic(relative, diagnostic.rule(), diagnostic.message(), diagnostic.hint()).format();
    }

    ModuleFetcher fetcher() {
        return new ModuleFetcher(scratch.resolve("modules-git"), BuiltinModules.discover());
    }

    StageCatalog catalog() {
        return new StageCatalog(fetcher(), new TemplateEngine());
    }

    /**
     * Runs {@code work} on the stages of {@code infrastructure} read from the stored snapshot of
     * {@code commit} (what Prepare saw), extracted into a scratch folder removed afterwards.
     */
    <T> T withSnapshot(String infrastructure, String commit, java.util.function.Function<Loaded, T> work) throws IOException {
        var key = snapshotKey(commit, repoPath);
        var zip = blobs.get(key).orElseThrow(() -> new IllegalStateException(
                "no snapshot of " + commit + " at " + key + " (Prepare stores it)"));
        Files.createDirectories(scratch);
        var dir = Files.createTempDirectory(scratch, "snapshot-");
        try {
            extract(zip, dir);
            return work.apply(stages(dir, infrastructure, commit));
        } finally {
            deleteTree(dir);
        }
    }

    private static void extract(byte[] zip, Path dir) throws IOException {
        try (var in = new ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            for (var entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (entry.isDirectory()) continue;
                var target = dir.resolve(entry.getName()).normalize();
                if (!target.startsWith(dir) || entry.getName().contains("\\")) {
                    throw new IOException("refused snapshot entry outside the folder: " + entry.getName());
                }
                Files.createDirectories(target.getParent());
                Files.write(target, in.readAllBytes());
            }
        }
    }

    /** Writes the commit's regular files under {@code dir} and returns them as one zip. */
    static byte[] checkout(Repository repo, ObjectId commit, Path dir) throws IOException {
        return checkout(repo, commit, RepoPath.ROOT, dir);
    }

    /**
     * Writes the regular files of the commit's folder {@code path} under {@code dir} (paths relative
     * to that folder) and returns them as one zip.
     *
     * @throws IllegalArgumentException when the commit has no folder {@code path}
     */
    static byte[] checkout(Repository repo, ObjectId commit, RepoPath path, Path dir) throws IOException {
        return checkoutTree(repo, rootTree(repo, commit), commit.name(), path, dir);
    }

    /** As {@link #checkout(Repository, ObjectId, RepoPath, Path)}, of a root tree ({@code commit} names it in errors). */
    static byte[] checkoutTree(Repository repo, ObjectId root, String commit, RepoPath path, Path dir) throws IOException {
        var zipped = new ByteArrayOutputStream();
        try (var tree = new TreeWalk(repo); var zip = new ZipOutputStream(zipped)) {
            if (path.isRoot()) {
                tree.addTree(root);
            } else {
                try (var folder = TreeWalk.forPath(repo, path.value(), root)) {
                    if (folder == null || folder.getFileMode(0) != FileMode.TREE) {
                        throw new IllegalArgumentException("the commit " + commit + " has no folder " + path.value()
                                + " (the repository path, " + RepoPath.VARIABLE + ")");
                    }
                    tree.addTree(folder.getObjectId(0));
                }
            }
            tree.setRecursive(true);
            while (tree.next()) {
                var mode = tree.getFileMode(0);
                if (mode != FileMode.REGULAR_FILE && mode != FileMode.EXECUTABLE_FILE) continue;
                var target = dir.resolve(tree.getPathString()).normalize();
                if (!target.startsWith(dir)) throw new IOException("refused path outside the checkout: " + tree.getPathString());
                var bytes = repo.open(tree.getObjectId(0)).getBytes();
                Files.createDirectories(target.getParent());
                Files.write(target, bytes);
                zip.putNextEntry(new ZipEntry(tree.getPathString()));
                zip.write(bytes);
                zip.closeEntry();
            }
        }
        return zipped.toByteArray();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var paths = Files.walk(dir)) {
            for (var p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
