package dev.cairn.reconciler.module;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.TreeFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A hostile git remote: trees crafted with JGit's low-level inserter (porcelain refuses such
 * names) whose entries try to leave the stage folder, or plant links. Nothing may be written
 * outside the destination.
 */
class GitModuleSecurityIT {
    private static final String MAIN_TF = "output \"x\" {\n  value = \"x\"\n}\n";

    @TempDir
    Path tmp;

    @Test
    void aRemoteWithADotDotTreeEntryIsRefusedAtFetchAndNothingLandsOutsideTheStageFolder() throws Exception {
        var remote = craftedRemote(tmp.resolve("remote.git"), "escaped.tf", 5);
        var dest = tmp.resolve("repo/.cairn/work/dev/evil");
        var fetcher = new ModuleFetcher(tmp.resolve("repo/.cairn/cache/git"), BuiltinModules.discover());

        assertThatThrownBy(() -> fetcher.materialize(new ModuleSource.Git(remote.toUri().toString(), "net", "main"), dest, Map.of()))
                .isInstanceOf(ModuleException.class)
                .hasMessageContaining("cannot fetch");

        assertNoEscapedFile("escaped.tf");
        assertThat(dest).isEmptyDirectory();
    }

    @Test
    void anEntryThatLeavesTheFolderIsRefusedWhereItIsJoinedEvenWhenTheObjectsWereNeverChecked() throws Exception {
        var remote = craftedRemote(tmp.resolve("remote.git"), "joined.tf", 6);
        // a clone without fsck (what an old cache, or any other path into the object store, holds)
        var unchecked = tmp.resolve("unchecked.git");
        Git.cloneRepository().setURI(remote.toUri().toString()).setBare(true).setDirectory(unchecked.toFile()).call().close();
        var dest = Files.createDirectories(tmp.resolve("a/b/c/d/e/dest"));

        try (var git = Git.open(unchecked.toFile())) {
            var repo = git.getRepository();
            var head = repo.resolve("refs/heads/main^{commit}");
            assertThatThrownBy(() -> ModuleFetcher.extract(repo, head, "net", dest))
                    .isInstanceOf(ModuleException.class)
                    .hasMessageContaining("outside its folder");
        }
        assertNoEscapedFile("joined.tf");
    }

    @Test
    void containmentIsCheckedOnTheNormalizedPath() {
        var root = tmp.resolve("dest").toAbsolutePath().normalize();
        assertThat(ModuleFetcher.containedTarget(root, "sub/main.tf", "sub/main.tf")).isEqualTo(root.resolve("sub/main.tf"));
        for (var bad : new String[]{"../x.tf", "a/../../x.tf", "/etc/passwd", ".git/config", "a/.GIT/hooks/x", "a//b", "."}) {
            assertThatThrownBy(() -> ModuleFetcher.containedTarget(root, bad, bad)).as(bad)
                    .isInstanceOf(ModuleException.class).hasMessageContaining("outside its folder");
        }
    }

    @Test
    void symlinkAndSubmoduleEntriesAreRefused() throws Exception {
        for (var mode : new FileMode[]{FileMode.SYMLINK, FileMode.GITLINK}) {
            var remote = tmp.resolve("links-" + mode.getBits() + ".git");
            try (var git = Git.init().setBare(true).setInitialBranch("main").setDirectory(remote.toFile()).call();
                 var inserter = git.getRepository().newObjectInserter()) {
                var main = blob(inserter, MAIN_TF);
                var net = new TreeFormatter();
                if (mode == FileMode.SYMLINK) net.append("creds.tf", FileMode.SYMLINK, blob(inserter, "/etc/passwd"));
                else net.append("creds.tf", FileMode.GITLINK, main); // any id: a submodule pointer
                net.append("main.tf", FileMode.REGULAR_FILE, main);
                var root = new TreeFormatter();
                root.append("net", FileMode.TREE, inserter.insert(net));
                commit(git, inserter, inserter.insert(root));
            }
            var dest = tmp.resolve("work-" + mode.getBits());
            var fetcher = new ModuleFetcher(tmp.resolve("cache-" + mode.getBits()), BuiltinModules.discover());
            assertThatThrownBy(() -> fetcher.materialize(new ModuleSource.Git(remote.toUri().toString(), "net", "main"), dest, Map.of()))
                    .as(mode.toString())
                    .isInstanceOf(ModuleException.class)
                    .hasMessageContaining(mode == FileMode.SYMLINK ? "a symlink at `net/creds.tf`" : "a submodule at `net/creds.tf`");
            assertThat(Files.exists(dest.resolve("creds.tf"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        }
    }

    @Test
    void plainHttpRemotesAreRefusedUnlessAllowed() {
        var source = new ModuleSource.Git("http://127.0.0.1:9/acme/modules.git", "net", "v1");
        var refusing = new ModuleFetcher(tmp.resolve("cache"), BuiltinModules.discover(), false);
        assertThatThrownBy(() -> refusing.materialize(source, tmp.resolve("dest"), Map.of()))
                .isInstanceOf(ModuleException.class)
                .hasMessageContaining("plain http")
                .hasMessageContaining(ModuleFetcher.ALLOW_HTTP_ENV);
        var allowing = new ModuleFetcher(tmp.resolve("cache"), BuiltinModules.discover(), true);
        // allowed: it gets as far as the network (nothing listens on port 9)
        assertThatThrownBy(() -> allowing.materialize(source, tmp.resolve("dest"), Map.of()))
                .isInstanceOf(ModuleException.class)
                .hasMessageContaining("cannot fetch");
    }

    @Test
    void aPlantedCacheEntryWhoseOriginIsAnotherRepoIsNotUsed() throws Exception {
        var real = moduleRepo(tmp.resolve("real"), "real");
        var evil = moduleRepo(tmp.resolve("evil"), "evil");
        var url = real.toUri().toString();
        var cache = tmp.resolve("cache");
        // the entry Cairn would use for `url`, holding another repo's v1
        Git.cloneRepository().setURI(evil.toUri().toString()).setBare(true)
                .setDirectory(cache.resolve(ModuleFetcher.sha1(url)).toFile()).call().close();
        var dest = tmp.resolve("dest");

        new ModuleFetcher(cache, BuiltinModules.discover()).materialize(new ModuleSource.Git(url, "net", "v1"), dest, Map.of());

        assertThat(dest.resolve("main.tf")).content().contains("real").doesNotContain("evil");
    }

    @Test
    void credentialsInAGitUrlAreUsedButNeverStoredInTheCache() throws Exception {
        var remote = moduleRepo(tmp.resolve("private"), "private");
        var token = "ghp_s3cr3tT0kenValue42";
        try (var server = DumbHttpServer.serve(remote.resolve(".git"))) {
            var url = "http://x-access-token:" + token + "@127.0.0.1:" + server.port() + "/";
            var source = new ModuleSource.Git(url, "net", "v1");
            assertThat(source.url()).isEqualTo("http://127.0.0.1:" + server.port() + "/");
            assertThat(source.describe()).doesNotContain(token);
            assertThat(source.toString()).doesNotContain(token);
            assertThat(source.credentials().secret()).isEqualTo(token);
            var cache = tmp.resolve("cache");
            var dest = tmp.resolve("dest");

            new ModuleFetcher(cache, BuiltinModules.discover(), true).materialize(source, dest, Map.of());

            assertThat(dest.resolve("main.tf")).content().contains("private");
            try (Stream<Path> files = Files.walk(cache)) {
                for (var file : files.filter(Files::isRegularFile).toList()) {
                    assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).as(file.toString()).doesNotContain(token);
                }
            }
        }
    }

    @Test
    void userInfoIsStrippedFromEveryUrlForm() {
        var https = new ModuleSource.Git("https://alice:p%40ss@git.example.com/acme/x.git", null, null);
        assertThat(https.url()).isEqualTo("https://git.example.com/acme/x.git");
        assertThat(https.credentials()).isEqualTo(new ModuleSource.GitCredentials("alice", "p@ss"));
        var bareToken = new ModuleSource.Git("https://ghp_abc123@github.com/acme/x.git", null, null);
        assertThat(bareToken.url()).isEqualTo("https://github.com/acme/x.git");
        assertThat(bareToken.credentials().secret()).isEqualTo("ghp_abc123");
        var ssh = new ModuleSource.Git("ssh://git:hunter2@git.example.com/acme/x.git", null, null);
        assertThat(ssh.url()).isEqualTo("ssh://git@git.example.com/acme/x.git");
        assertThat(ssh.credentials().secret()).isEqualTo("hunter2");
        var plain = new ModuleSource.Git("ssh://git@git.example.com/acme/x.git", null, null);
        assertThat(plain.url()).isEqualTo("ssh://git@git.example.com/acme/x.git");
        assertThat(plain.credentials()).isNull();
        var parsed = (ModuleSource.Git) ModuleSource.parse("git::https://tok@github.com/acme/x.git//net?ref=v1", null, Path.of("/r"), Path.of("/r/modules"));
        assertThat(parsed.describe()).isEqualTo("git::https://github.com/acme/x.git//net?ref=v1");
    }

    /** A work tree repo with {@code net/main.tf} (output = {@code marker}) tagged v1. */
    private static Path moduleRepo(Path dir, String marker) throws Exception {
        try (var git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            Files.createDirectories(dir.resolve("net"));
            Files.writeString(dir.resolve("net/main.tf"), "output \"x\" {\n  value = \"" + marker + "\"\n}\n");
            git.add().addFilepattern(".").call();
            git.commit().setMessage(marker).setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
            git.tag().setName("v1").call();
        }
        return dir;
    }

    /**
     * A bare repo whose branch {@code main} has {@code net/main.tf} and {@code net/../../.. (depth
     * times)/NAME}: a tree entry named {@code ..}, which {@code git add} would never produce.
     */
    private static Path craftedRemote(Path dir, String name, int depth) throws Exception {
        try (var git = Git.init().setBare(true).setInitialBranch("main").setDirectory(dir.toFile()).call();
             var inserter = git.getRepository().newObjectInserter()) {
            var leaf = new TreeFormatter();
            leaf.append(name, FileMode.REGULAR_FILE, blob(inserter, "# written outside the stage folder\n"));
            var up = inserter.insert(leaf);
            for (int i = 1; i < depth; i++) {
                var level = new TreeFormatter();
                level.append("..", FileMode.TREE, up);
                up = inserter.insert(level);
            }
            var net = new TreeFormatter();
            net.append("..", FileMode.TREE, up);
            net.append("main.tf", FileMode.REGULAR_FILE, blob(inserter, MAIN_TF));
            var root = new TreeFormatter();
            root.append("net", FileMode.TREE, inserter.insert(net));
            commit(git, inserter, inserter.insert(root));
        }
        return dir;
    }

    private static ObjectId blob(ObjectInserter inserter, String text) throws IOException {
        return inserter.insert(Constants.OBJ_BLOB, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void commit(Git git, ObjectInserter inserter, ObjectId tree) throws IOException {
        var commit = new CommitBuilder();
        commit.setTreeId(tree);
        var who = new PersonIdent("attacker", "attacker@example.com");
        commit.setAuthor(who);
        commit.setCommitter(who);
        commit.setMessage("innocent module\n");
        var id = inserter.insert(commit);
        inserter.flush();
        var update = git.getRepository().updateRef("refs/heads/main");
        update.setNewObjectId(id);
        update.forceUpdate();
    }

    /** No file of that name anywhere under the test's folder or at the filesystem root. */
    private void assertNoEscapedFile(String name) throws IOException {
        try (Stream<Path> walk = Files.walk(tmp)) {
            assertThat(walk.filter(p -> p.getFileName().toString().equals(name)).toList()).isEmpty();
        }
        assertThat(Path.of("/", name)).doesNotExist();
        for (var dir = tmp.toAbsolutePath(); dir != null; dir = dir.getParent()) assertThat(dir.resolve(name)).doesNotExist();
    }
}
