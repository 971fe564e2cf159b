package dev.cairn.cli;

import dev.cairn.reconciler.run.Workspace;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options every command takes. */
final class CommonOptions {
    enum Format { text, json }

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format output = Format.text;

    @Option(names = "--state-dir", description = "Where Cairn keeps runs, outputs, logs and local state (default: REPO/.cairn, or $CAIRN_STATE_DIR).")
    Path stateDir;

    @Option(names = "--no-color", description = "Plain text, no colors or live redraws.")
    boolean noColor;

    boolean json() {
        return output == Format.json;
    }

    Workspace workspace(Path repo) {
        if (stateDir != null) return new Workspace(stateDir);
        var env = System.getenv("CAIRN_STATE_DIR");
        if (env != null && !env.isBlank()) return new Workspace(Path.of(env));
        return new Workspace(repo.toAbsolutePath().resolve(".cairn"));
    }
}
