package dev.cairn.functions.reconcile;

import dev.cairn.functions.GitMirror;
import dev.cairn.reconciler.graph.StageCatalog;
import dev.cairn.reconciler.manifest.RepositoryLoader;
import dev.cairn.reconciler.module.BuiltinModules;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.store.BlobStore;
import dev.cairn.reconciler.template.TemplateEngine;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
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
import java.util.zip.ZipOutputStream;

/**
 * Prepare's view of the repository: fetches the run's commit into the function's git cache,
 * writes its tree (regular files only: no symlinks, no submodules) into a scratch folder,
 * stores that snapshot as one zip at {@code snapshots/COMMIT.zip} in the blob store (the stage
 * renderer and the builds read the same files, whatever the branch does meanwhile), and builds the
 * infrastructure's stage DAG from it with the core's loader and stage catalog. The policy gives
 * each stage its approval rule and the provider's {@code roleArn} the role its build assumes.
 */
public final class RepoStagePlanner implements StagePlanner {
    private static final int DEFAULT_PARALLELISM = 4;
    private final GitMirror mirror;
    private final String repoUrl;
    private final Path scratch;
    private final BlobStore blobs;

    public RepoStagePlanner(GitMirror mirror, String repoUrl, Path scratch, BlobStore blobs) {
        this.mirror = mirror;
        this.repoUrl = repoUrl;
        this.scratch = scratch;
        this.blobs = blobs;
    }

    public static String snapshotKey(String commit) {
        return "snapshots/" + commit + ".zip";
    }

    @Override
    public Planned plan(Request request) throws Exception {
        Files.createDirectories(scratch);
        var dir = Files.createTempDirectory(scratch, "checkout-");
        try {
            try (var fetched = mirror.fetch(repoUrl, request.ref(), request.commit(), null)) {
                blobs.put(snapshotKey(request.commit()), checkout(fetched.repository(), fetched.after(), dir));
            }
            var loaded = new RepositoryLoader().load(dir);
            if (!loaded.ok()) {
                throw new IllegalArgumentException("the repository at " + request.commit() + " is invalid:\n"
                        + loaded.diagnostics().stream().map(d -> d.format()).collect(Collectors.joining("\n")));
            }
            var repo = loaded.repo();
            var infra = repo.infrastructure(request.infrastructure()).orElseThrow(() -> new IllegalArgumentException(
                    "no infrastructure named `" + request.infrastructure() + "` at " + request.commit()
                            + " (there are: " + String.join(", ", repo.infrastructures().keySet()) + ")"));
            var fetcher = new ModuleFetcher(scratch.resolve("modules-git"), BuiltinModules.discover());
            var built = new StageCatalog(fetcher, new TemplateEngine()).build(repo, infra);
            if (!built.diagnostics().isEmpty()) {
                throw new IllegalArgumentException("the stages of `" + request.infrastructure() + "` at " + request.commit() + " are invalid:\n"
                        + built.diagnostics().stream().map(d -> d.format()).collect(Collectors.joining("\n")));
            }
            var spec = infra.spec();
            boolean approval = !spec.policy().autoApply();
            var roleArn = spec.provider() == null || spec.provider().roleArn() == null ? "" : spec.provider().roleArn();
            var policies = new LinkedHashMap<String, StagePolicy>();
            for (var stage : built.stages().graph().stages()) policies.put(stage, new StagePolicy(approval, roleArn));
            var terraform = repo.config().terraform();
            int parallelism = terraform == null || terraform.parallelism() == null ? DEFAULT_PARALLELISM : terraform.parallelism();
            return new Planned(built.stages().graph(), parallelism, policies);
        } finally {
            deleteTree(dir);
        }
    }

    /** Writes the commit's regular files under {@code dir} and returns them as one zip. */
    static byte[] checkout(Repository repo, ObjectId commit, Path dir) throws IOException {
        var zipped = new ByteArrayOutputStream();
        try (var walk = new RevWalk(repo); var tree = new TreeWalk(repo); var zip = new ZipOutputStream(zipped)) {
            tree.addTree(walk.parseCommit(commit).getTree());
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
