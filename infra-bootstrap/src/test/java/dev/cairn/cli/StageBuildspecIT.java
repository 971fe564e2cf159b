package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stage build's buildspec, the one template.yaml's StageBuild project names
 * ({@code artifacts/buildspec.yml}, uploaded from terraform-modules/): Terraform pinned by version
 * and SHA-256, and its install step, run here with bash exactly as written, unzips a release
 * archive only when its SHA-256 is the pinned one, and otherwise fails loudly and unzips nothing.
 */
class StageBuildspecIT {
    static final Path REPO = Path.of(System.getProperty("cairn.repoRoot", "..")).toAbsolutePath().normalize();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path tmp;

    static JsonNode buildspec() throws Exception {
        return YAML.readTree(REPO.resolve("terraform-modules/buildspec.yml").toFile());
    }

    /** The install command that checks the archive (the one that runs sha256sum). */
    static String checksumStep(JsonNode spec) {
        var found = new ArrayList<String>();
        spec.at("/phases/install/commands").forEach(c -> {
            if (c.asText().contains("sha256sum")) found.add(c.asText());
        });
        assertThat(found).as("one install command checks the release archive").hasSize(1);
        return found.get(0);
    }

    @Test
    void theTemplatesStageBuildRunsThisBuildspecWithTerraformPinnedByVersionAndSha256AndAnS3Cache() throws Exception {
        var template = Files.readString(REPO.resolve("template.yaml"));
        assertThat(template).contains("BuildSpec: !Sub \"arn:${AWS::Partition}:s3:::${Bucket}/artifacts/buildspec.yml\"")
                .contains("Location: !Sub \"${Bucket}/cache/terraform-plugins\"");
        var spec = buildspec();
        var vars = spec.at("/env/variables");
        assertThat(vars.path("TERRAFORM_VERSION").asText()).matches("\\d+\\.\\d+\\.\\d+");
        assertThat(vars.path("TERRAFORM_SHA256").asText()).matches("[0-9a-f]{64}");
        assertThat(vars.path("TF_PLUGIN_CACHE_DIR").asText()).startsWith("/tmp/cairn-cache/");
        assertThat(vars.path("TERRAFORM_ZIP_DIR").asText()).startsWith("/tmp/cairn-cache/");
        var cached = new ArrayList<String>();
        spec.at("/cache/paths").forEach(p -> cached.add(p.asText()));
        assertThat(cached).containsExactly("/tmp/cairn-cache/**/*");
        // the check comes before the unzip, in the same step
        var step = checksumStep(spec);
        assertThat(step.indexOf("sha256sum -c")).isLessThan(step.indexOf("unzip"));
        assertThat(step).contains("${TERRAFORM_SHA256}").contains("exit 1");
        // nothing prints the environment
        var all = YAML.writeValueAsString(spec.path("phases"));
        assertThat(all).doesNotContain("set -x").doesNotContain("printenv").doesNotContain("env |");
    }

    record Run(int exit, String out) {
    }

    private Run runStep(String step, Path zipDir, Path bin, String sha256) throws Exception {
        var builder = new ProcessBuilder(List.of("bash", "-c", "set -euo pipefail\n" + step)).redirectErrorStream(true);
        builder.environment().putAll(Map.of("TERRAFORM_VERSION", "9.9.9", "TERRAFORM_SHA256", sha256,
                "TERRAFORM_ZIP_DIR", zipDir.toString(), "CAIRN_BIN", bin.toString()));
        var process = builder.start();
        var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(process.waitFor(), out);
    }

    private static byte[] releaseZip(String script) throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("terraform"));
            zip.write(script.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    @Test
    void theInstallStepUnzipsOnlyAnArchiveWithThePinnedHashAndFailsLoudlyOtherwise() throws Exception {
        var step = checksumStep(buildspec());
        var zipDir = Files.createDirectories(tmp.resolve("cache/terraform-releases"));
        var bin = Files.createDirectories(tmp.resolve("bin"));
        var good = releaseZip("#!/bin/sh\necho Terraform v9.9.9\n");
        var pinned = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(good));
        var zip = zipDir.resolve("terraform_9.9.9_linux_amd64.zip");

        // the archive with the pinned hash, already in the cache: checked, then unzipped (no download)
        Files.write(zip, good);
        var ok = runStep(step, zipDir, bin, pinned);
        assertThat(ok.exit()).as(ok.out()).isZero();
        assertThat(Files.readString(bin.resolve("terraform"))).contains("Terraform v9.9.9");

        // a cached archive that was swapped: the build stops, names the pinned hash, unzips nothing and drops it
        Files.delete(bin.resolve("terraform"));
        Files.write(zip, releaseZip("#!/bin/sh\necho pwned\n"));
        var bad = runStep(step, zipDir, bin, pinned);
        assertThat(bad.exit()).as(bad.out()).isEqualTo(1);
        assertThat(bad.out()).contains("FATAL").contains("does not have the pinned SHA-256 " + pinned).contains("refusing to run it");
        assertThat(bin.resolve("terraform")).doesNotExist();
        assertThat(zip).doesNotExist();
    }

    @Test
    void aTerraformLeftInTheBinFolderIsReplacedByTheVerifiedOne() throws Exception {
        var step = checksumStep(buildspec());
        var zipDir = Files.createDirectories(tmp.resolve("cache/terraform-releases"));
        var bin = Files.createDirectories(tmp.resolve("bin"));
        var stale = bin.resolve("terraform");
        Files.writeString(stale, "#!/bin/sh\necho Terraform v9.9.9 but not the release\n");
        Files.setPosixFilePermissions(stale, PosixFilePermissions.fromString("rwxr-xr-x"));
        var good = releaseZip("#!/bin/sh\necho Terraform v9.9.9\n");
        Files.write(zipDir.resolve("terraform_9.9.9_linux_amd64.zip"), good);
        var run = runStep(step, zipDir, bin, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(good)));
        assertThat(run.exit()).as(run.out()).isZero();
        assertThat(Files.readString(stale)).doesNotContain("not the release");
    }
}
