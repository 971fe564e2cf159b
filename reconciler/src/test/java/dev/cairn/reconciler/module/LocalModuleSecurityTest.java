package dev.cairn.reconciler.module;

import dev.cairn.reconciler.RepoFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Local module folders: they stay inside the repo and their symlinks are never followed. */
class LocalModuleSecurityTest {
    @TempDir
    Path tmp;

    @Test
    void aSymlinkInAModuleFolderIsRefusedAndItsTargetIsNotCopied() throws Exception {
        var secret = RepoFiles.write(tmp, "home/.aws/credentials", "aws_secret_access_key = AKIASECRET\n");
        var module = tmp.resolve("repo/modules/app");
        RepoFiles.write(module, "main.tf", "output \"x\" { value = 1 }\n");
        Files.createSymbolicLink(module.resolve("creds.tf"), secret);
        var dest = tmp.resolve("work");
        var fetcher = new ModuleFetcher(tmp.resolve("cache"), BuiltinModules.discover());

        assertThatThrownBy(() -> fetcher.materialize(new ModuleSource.Local(module), dest, Map.of()))
                .isInstanceOf(ModuleException.class)
                .hasMessageContaining("is a symlink");
        assertThat(Files.exists(dest.resolve("creds.tf"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        // what the module declares is read from its own files only
        assertThat(fetcher.inspect(new ModuleSource.Local(module)).outputs()).containsExactly("x");
    }

    @Test
    void localSourcesResolveInsideTheRepoOnly() throws Exception {
        var repo = Files.createDirectories(tmp.resolve("repo"));
        var modules = Files.createDirectories(repo.resolve("modules"));
        Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(modules.resolve("linked"), tmp.resolve("outside"));

        assertThat(ModuleSource.parse("./modules/app", null, repo, modules)).isEqualTo(new ModuleSource.Local(modules.resolve("app")));
        for (var source : new String[]{"../outside", "/tmp", "./modules/../../outside", "linked", "./modules/linked"}) {
            assertThatThrownBy(() -> ModuleSource.parse(source, null, repo, modules)).as(source)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is outside the repo");
        }
    }
}
