package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.aws.testing.MotoServer;
import dev.cairn.reconciler.manifest.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;

/** Test support: deploys a SAM template into a moto server through bin/deploy-emulated, as a user would. */
final class EmulatedStacks {
    static final Path REPO = Path.of(System.getProperty("cairn.repoRoot", "..")).toAbsolutePath().normalize();
    static final String REGION = "us-east-1";

    private EmulatedStacks() {
    }

    record Deployed(JsonNode result, Path translated, String log) {
        String output(String key) {
            return result.at("/outputs/" + key).asText();
        }
    }

    /** A small stand-in for the functions' jar (the deploy only uploads it; moto cannot run it). */
    static Path tinyJar(Path dir) throws IOException {
        var jar = dir.resolve("stand-in-function.jar");
        var manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (var out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new JarEntry("README.txt"));
            out.write("stand-in for functions/target/cairn-functions.jar\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    static Map<String, String> awsEnv(MotoServer moto) {
        return Map.of("AWS_ENDPOINT_URL", moto.endpoint(), "AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing",
                "AWS_REGION", REGION, "AWS_DEFAULT_REGION", REGION);
    }

    /** @param extra more arguments for the script, e.g. {@code --parameter K=V} */
    static Deployed deploy(MotoServer moto, Path template, String stack, Path artifact, Path dir, String... extra) throws Exception {
        var translated = dir.resolve(stack + ".translated.json");
        var command = new ArrayList<>(List.of("python3", REPO.resolve("bin/deploy-emulated").toString(), "--template", template.toString(),
                "--stack", stack, "--artifact", artifact.toString(), "--save-translated", translated.toString(), "-o", "json"));
        command.addAll(List.of(extra));
        var builder = new ProcessBuilder(command);
        builder.environment().putAll(awsEnv(moto));
        builder.environment().remove("AWS_PROFILE");
        var stderr = dir.resolve(stack + ".deploy.log");
        builder.redirectError(stderr.toFile());
        var process = builder.start();
        var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        var log = Files.readString(stderr);
        assertThat(exit).as("bin/deploy-emulated exit\n" + log + out).isZero();
        return new Deployed(Json.MAPPER.readTree(out), translated, log);
    }

    record Run(int exit, String out, String err) {
    }

    /** The cairn CLI in its own JVM (its own process environment), against the emulator. */
    static Run cairn(MotoServer moto, Map<String, String> extraEnv, Path dir, String... args) throws Exception {
        var java = ProcessHandle.current().info().command().orElse("java");
        var command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), Cairn.class.getName()));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command);
        var env = builder.environment();
        env.putAll(awsEnv(moto));
        env.remove("AWS_PROFILE");
        env.put("CI", "true");
        env.putAll(extraEnv);
        var stderr = Files.createTempFile(dir, "cairn", ".err");
        builder.redirectError(stderr.toFile());
        var process = builder.start();
        var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        return new Run(exit, out, Files.readString(stderr));
    }
}
