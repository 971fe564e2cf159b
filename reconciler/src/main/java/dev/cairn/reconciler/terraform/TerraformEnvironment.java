package dev.cairn.reconciler.terraform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment every terraform process gets: non-interactive, no checkpoint calls, a shared
 * provider plugin cache, and, unless the user has a CLI config of their own
 * ({@code TF_CLI_CONFIG_FILE} pointing at a file), a {@link ProviderMirror} when one is named or
 * found, for machines with no registry access.
 */
public final class TerraformEnvironment {
    private TerraformEnvironment() {
    }

    public static Map<String, String> create(Path stateDir) {
        var env = new LinkedHashMap<String, String>();
        env.put("TF_IN_AUTOMATION", "1");
        env.put("TF_INPUT", "0");
        env.put("CHECKPOINT_DISABLE", "1");
        var mirror = ProviderMirror.discover();
        var userConfig = System.getenv("TF_CLI_CONFIG_FILE");
        boolean userConfigExists = userConfig != null && !userConfig.isBlank() && Files.exists(Path.of(userConfig));
        if (!userConfigExists && mirror.isPresent()) {
            var config = stateDir.resolve("terraform.rc");
            writeCliConfig(config, mirror.get().cliConfig());
            env.put("TF_CLI_CONFIG_FILE", config.toString());
        }
        // A plugin cache saves the downloads from a registry. Next to a local mirror it saves
        // nothing, and terraform relinks a mirrored provider's cache entry on every init, which
        // breaks a stage applying at that moment: so no default cache when there is a mirror.
        var cache = System.getenv("TF_PLUGIN_CACHE_DIR");
        if ((cache == null || cache.isBlank()) && mirror.isEmpty()) {
            var xdg = System.getenv("XDG_CACHE_HOME");
            var base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
            cache = base.resolve("cairn").resolve("terraform-plugins").toString();
            try {
                Files.createDirectories(Path.of(cache));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the plugin cache " + cache, e);
            }
            env.put("TF_PLUGIN_CACHE_DIR", cache);
        }
        return env;
    }

    /**
     * Writes the CLI config by atomic replace, owner-only: a symlink planted at its path is
     * replaced, never written through.
     */
    static void writeCliConfig(Path config, String content) {
        dev.cairn.reconciler.store.local.AtomicFiles.write(config, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
