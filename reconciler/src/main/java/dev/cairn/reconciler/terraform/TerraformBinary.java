package dev.cairn.reconciler.terraform;

import dev.cairn.reconciler.manifest.Json;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The terraform (or tofu) executable Cairn drives, found on PATH and checked to be >= 1.10. */
public record TerraformBinary(Path path, String flavour, String version) {
    static final int MIN_MAJOR = 1;
    static final int MIN_MINOR = 10;

    /**
     * @param preferred {@code terraform}, {@code tofu}, a path, or null for: {@code CAIRN_TERRAFORM_BIN}, then
     *                  terraform on PATH, then tofu on PATH
     */
    public static TerraformBinary find(String preferred) {
        var candidates = candidates(preferred);
        for (var candidate : candidates) {
            var path = locate(candidate);
            if (path != null) return probed(path);
        }
        throw notFound(candidates);
    }

    /**
     * Starts checking the binary {@link #find} would pick, in the background: the CLI calls it
     * first thing, so that {@code terraform version} runs while the repo is read. Never throws;
     * {@link #find} reports what went wrong.
     */
    public static void prefetch(String preferred) {
        for (var candidate : candidates(preferred)) {
            var path = locate(candidate);
            if (path == null) continue;
            probe(path, r -> Thread.ofPlatform().daemon().name("cairn-terraform-version").start(r));
            return;
        }
    }

    /** Probes by binary (path, size and modification time): a long-lived process sees an upgrade, a short one probes once. */
    private static final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.CompletableFuture<TerraformBinary>> PROBES =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static TerraformBinary probed(Path path) {
        var probe = probe(path, Runnable::run);
        try {
            return probe.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) throw cause;
            throw e;
        }
    }

    private static java.util.concurrent.CompletableFuture<TerraformBinary> probe(Path path, java.util.concurrent.Executor executor) {
        String key;
        try {
            var attributes = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class);
            key = path.toAbsolutePath() + "|" + attributes.size() + "|" + attributes.lastModifiedTime().toMillis();
        } catch (IOException e) {
            key = path.toAbsolutePath().toString();
        }
        var fresh = new java.util.concurrent.CompletableFuture<TerraformBinary>();
        var existing = PROBES.putIfAbsent(key, fresh);
        if (existing != null) return existing;
        var cacheKey = key;
        executor.execute(() -> {
            try {
                fresh.complete(probe(path));
            } catch (RuntimeException e) {
                PROBES.remove(cacheKey, fresh);   // a failure is reported once, and checked again next time
                fresh.completeExceptionally(e);
            }
        });
        return fresh;
    }

    private static List<String> candidates(String preferred) {
        var candidates = new ArrayList<String>();
        var env = System.getenv("CAIRN_TERRAFORM_BIN");
        if (preferred != null) candidates.add(preferred);
        else if (env != null && !env.isBlank()) candidates.add(env);
        else candidates.addAll(List.of("terraform", "tofu"));
        return candidates;
    }

    private static TerraformNotFoundException notFound(List<String> candidates) {
        return new TerraformNotFoundException("Terraform was not found (looked for " + String.join(", ", candidates)
                + " on PATH). Install Terraform >= 1.10 or OpenTofu >= 1.10, or point CAIRN_TERRAFORM_BIN at the binary.");
    }

    private static Path locate(String name) {
        if (name.contains(File.separator)) {
            var p = Path.of(name);
            return Files.isExecutable(p) ? p : null;
        }
        var pathEnv = System.getenv("PATH");
        if (pathEnv == null) return null;
        for (var dir : pathEnv.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            var p = Path.of(dir, name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) return p;
        }
        return null;
    }

    private static TerraformBinary probe(Path path) {
        try {
            var process = new ProcessBuilder(path.toString(), "version", "-json").redirectErrorStream(false).start();
            process.getOutputStream().close();
            var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.getErrorStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new TerraformNotFoundException(path + " did not answer `version -json`; is it Terraform >= 1.10 or OpenTofu >= 1.10?");
            }
            var version = Json.MAPPER.readTree(out.substring(out.indexOf('{'))).path("terraform_version").asText();
            var flavour = path.getFileName().toString().startsWith("tofu") ? "tofu" : "terraform";
            var parts = version.split("[.-]");
            int major = Integer.parseInt(parts[0]);
            int minor = Integer.parseInt(parts[1]);
            if (major < MIN_MAJOR || (major == MIN_MAJOR && minor < MIN_MINOR)) {
                throw new TerraformNotFoundException(path + " is version " + version + "; Cairn needs Terraform or OpenTofu >= 1.10 (S3 state locking with use_lockfile).");
            }
            return new TerraformBinary(path, flavour, version);
        } catch (IOException e) {
            throw new TerraformNotFoundException("cannot run " + path + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TerraformNotFoundException("interrupted while checking " + path);
        } catch (RuntimeException e) {
            if (e instanceof TerraformNotFoundException) throw e;
            throw new TerraformNotFoundException("cannot read the version of " + path + ": " + e.getMessage());
        }
    }
}
