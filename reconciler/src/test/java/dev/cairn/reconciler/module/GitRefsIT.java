package dev.cairn.reconciler.module;

import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which commit a {@code git::URL//dir?ref=REF} module resolves to once the cache is warm, against a
 * real JGit remote: a branch is fetched again by every new process (a new {@link ModuleFetcher})
 * and so follows the remote; a commit SHA is fixed; a tag already in the cache is served from it.
 */
class GitRefsIT {
    @TempDir
    Path tmp;

    private Path remote() {
        return tmp.resolve("remote");
    }

    private Path cache() {
        return tmp.resolve("cache/git");
    }

    private String commit(Git git, String version) throws Exception {
        Files.createDirectories(remote().resolve("net"));
        Files.writeString(remote().resolve("net/main.tf"), "output \"version\" {\n  value = \"" + version + "\"\n}\n");
        git.add().addFilepattern(".").call();
        return git.commit().setMessage(version).setSign(false).call().getName();
    }

    /** What a new process (a new fetcher on the same cache) checks out for {@code ref}. */
    private String fetchedVersion(String ref, String name) throws Exception {
        return fetchedVersion(new ModuleFetcher(cache(), BuiltinModules.discover()), ref, name);
    }

    private String fetchedVersion(ModuleFetcher fetcher, String ref, String name) throws Exception {
        var dest = Files.createDirectories(tmp.resolve("dest/" + name));
        fetcher.materialize(new ModuleSource.Git(remote().toUri().toString(), "net", ref), dest, Map.of());
        var text = Files.readString(dest.resolve("main.tf"));
        return text.substring(text.indexOf("value = \"") + 9, text.lastIndexOf('"'));
    }

    @Test
    void aBranchThatMovedUpstreamIsFetchedAgainByTheNextProcessDespiteAWarmCache() throws Exception {
        try (var git = Git.init().setDirectory(remote().toFile()).setInitialBranch("main").call()) {
            commit(git, "v1");
            var firstProcess = new ModuleFetcher(cache(), BuiltinModules.discover());
            assertThat(fetchedVersion(firstProcess, "main", "first")).isEqualTo("v1");
            assertThat(cache()).isNotEmptyDirectory();

            commit(git, "v2");
            // within one process the branch is fetched once: one run sees one version of a module
            assertThat(fetchedVersion(firstProcess, "main", "same-process")).isEqualTo("v1");
            assertThat(fetchedVersion("main", "next-process")).isEqualTo("v2");
            // no ref is the remote's HEAD, a branch too
            commit(git, "v3");
            assertThat(fetchedVersion(null, "head")).isEqualTo("v3");
        }
    }

    @Test
    void aCommitShaStaysWhereItIsWhenTheBranchMoves() throws Exception {
        try (var git = Git.init().setDirectory(remote().toFile()).setInitialBranch("main").call()) {
            var first = commit(git, "v1");
            commit(git, "v2");
            assertThat(fetchedVersion(first, "sha-cold")).isEqualTo("v1");
            commit(git, "v3");
            assertThat(fetchedVersion(first, "sha-warm")).isEqualTo("v1");
            assertThat(fetchedVersion("main", "branch")).isEqualTo("v3");
        }
    }

    @Test
    void aTagInTheCacheIsServedFromItAndANewTagIsFetched() throws Exception {
        try (var git = Git.init().setDirectory(remote().toFile()).setInitialBranch("main").call()) {
            commit(git, "v1");
            git.tag().setName("v1.0").setSigned(false).setAnnotated(false).call();
            assertThat(fetchedVersion("v1.0", "tag-cold")).isEqualTo("v1");

            // the tag is moved upstream (force): tags are taken as fixed, the cached commit stays
            commit(git, "v2");
            git.tag().setName("v1.0").setSigned(false).setAnnotated(false).setForceUpdate(true).call();
            assertThat(fetchedVersion("v1.0", "tag-moved")).isEqualTo("v1");

            // a tag the cache has never seen is fetched
            git.tag().setName("v2.0").setSigned(false).setAnnotated(false).call();
            assertThat(fetchedVersion("v2.0", "tag-new")).isEqualTo("v2");
        }
    }
}
