package dev.cairn.reconciler.terraform;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Runs one terraform command in a work dir, non-interactively. Every line goes to the stage log
 * (through a redactor, so secrets never reach it); standard output can also be captured for the
 * {@code -json} commands.
 */
public final class TerraformCli {
    private static final Path SHELL = Path.of("/bin/sh");
    private final TerraformBinary binary;
    private final Map<String, String> environment;
    private final CommandTimes times;

    public TerraformCli(TerraformBinary binary, Map<String, String> environment) {
        this(binary, environment, null);
    }

    private TerraformCli(TerraformBinary binary, Map<String, String> environment, CommandTimes times) {
        this.binary = binary;
        this.environment = environment;
        this.times = times;
    }

    /**
     * Whether terraform runs with a shared plugin cache ({@code TF_PLUGIN_CACHE_DIR}, set by Cairn or
     * inherited): concurrent inits are not safe with one.
     */
    public boolean sharesPluginCache() {
        var cache = environment.containsKey("TF_PLUGIN_CACHE_DIR") ? environment.get("TF_PLUGIN_CACHE_DIR") : System.getenv("TF_PLUGIN_CACHE_DIR");
        return cache != null && !cache.isBlank();
    }

    /** The same CLI, adding the duration of every command it runs to {@code times}. */
    public TerraformCli timedBy(CommandTimes times) {
        return new TerraformCli(binary, environment, times);
    }

    public TerraformBinary binary() {
        return binary;
    }

    /** Where standard output goes. */
    public enum Stdout {
        /** to the log, line by line */
        LOG,
        /** captured only (JSON documents: plan, outputs) */
        CAPTURE,
        /** captured, and the human message of each machine-readable UI line to the log as it comes */
        CAPTURE_UI
    }

    public CommandResult run(Path workDir, Writer log, UnaryOperator<String> redact, Stdout stdoutMode, String... args) {
        var command = new ArrayList<String>();
        if (Files.isExecutable(SHELL)) {
            // state, plans and the files terraform writes hold secrets: owner-only (umask 077).
            // The script is constant; the binary and every argument are positional parameters, never parsed by the shell.
            command.addAll(List.of(SHELL.toString(), "-c", "umask 077 && exec \"$@\"", "terraform"));
        }
        command.add(binary.path().toString());
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().putAll(environment);
        try {
            synchronized (log) {
                log.write("$ " + binary.flavour() + " " + String.join(" ", args) + "\n");
                log.flush();
            }
            long started = System.nanoTime();
            var process = builder.start();
            process.getOutputStream().close();
            var stdout = new StringBuilder();
            var errTail = new ArrayDeque<String>();
            var errThread = Thread.ofVirtual().start(() -> pump(process.getErrorStream(), log, redact, null, errTail, UnaryOperator.identity()));
            switch (stdoutMode) {
                case LOG -> pump(process.getInputStream(), log, redact, null, null, UnaryOperator.identity());
                case CAPTURE -> pump(process.getInputStream(), null, redact, stdout, null, UnaryOperator.identity());
                case CAPTURE_UI -> pump(process.getInputStream(), log, redact, stdout, null, UiStream::humanText);
            }
            errThread.join();
            int code = process.waitFor();
            if (times != null) times.add(args.length == 0 ? "terraform" : args[0], (System.nanoTime() - started) / 1_000_000);
            synchronized (log) {
                log.write("# exit " + code + "\n");
                log.flush();
            }
            return new CommandResult(code, stdout.toString(), String.join("\n", errTail));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + binary.path() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running terraform", e);
        }
    }

    private static void pump(InputStream in, Writer log, UnaryOperator<String> redact, StringBuilder capture,
                             ArrayDeque<String> tail, UnaryOperator<String> toLog) {
        try (var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (capture != null) capture.append(line).append('\n');
                var shown = toLog.apply(line);
                if (shown == null) continue;
                var safe = redact.apply(shown);
                if (log != null) {
                    synchronized (log) {
                        log.write(safe);
                        log.write('\n');
                    }
                }
                if (tail != null) {
                    tail.addLast(safe);
                    if (tail.size() > 40) tail.removeFirst();
                }
            }
            if (log != null) synchronized (log) {
                log.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
