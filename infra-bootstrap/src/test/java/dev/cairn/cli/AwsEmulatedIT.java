package dev.cairn.cli;

import dev.cairn.aws.testing.MotoServer;
import dev.cairn.reconciler.manifest.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cairn's own AWS modules (backend → network, domain → kubernetes → addons IRSA) applied for real
 * with the AWS provider against the moto emulator, through the CLI: S3 state with use_lockfile,
 * outputs fed forward by templates, a no-change second apply, then destroy.
 */
class AwsEmulatedIT {

    @TempDir
    Path tmp;

    record Result(int exit, String output) {
    }

    private Result cairn(MotoServer moto, String... args) throws Exception {
        var java = ProcessHandle.current().info().command().orElse("java");
        var command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), Cairn.class.getName()));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command).redirectErrorStream(true);
        var env = builder.environment();
        env.put("AWS_ENDPOINT_URL", moto.endpoint());
        env.put("AWS_ACCESS_KEY_ID", "testing");
        env.put("AWS_SECRET_ACCESS_KEY", "testing");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("CI", "true");
        env.remove("AWS_PROFILE");
        var process = builder.start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }

    @Test
    void theBuiltInAwsStagesApplyReplanCleanAndDestroyAgainstTheEmulator() throws Exception {
        var repo = Examples.copy("aws-emulated", tmp.resolve("aws-emulated"));
        try (var moto = MotoServer.start(tmp.resolve("moto.log"))) {
            var validate = cairn(moto, "validate", repo.toString());
            assertThat(validate.exit()).as(validate.output()).isZero();

            var apply = cairn(moto, "apply", repo.toString(), "--infra", "dev", "--yes");
            assertThat(apply.exit()).as(apply.output() + logs(repo)).isZero();
            assertThat(apply.output()).contains("Apply complete").doesNotContain("failed");

            var outputs = Json.MAPPER.readTree(cairn(moto, "outputs", repo.toString(), "--infra", "dev", "-o", "json").output());
            var vpcId = outputs.at("/network/vpc_id").asText();
            assertThat(vpcId).startsWith("vpc-");
            assertThat(outputs.at("/network/private_subnet_ids").size()).isEqualTo(2);
            assertThat(outputs.at("/domain/zone_id").asText()).isNotBlank();
            assertThat(outputs.at("/kubernetes/cluster_name").asText()).isEqualTo("cairn-dev");
            var bucket = outputs.at("/backend/state_bucket").asText();
            assertThat(bucket).isEqualTo("cairn-emulated-dev-state");
            // the kubernetes stage got the network's outputs through templating
            var tfvars = Json.MAPPER.readTree(repo.resolve(".cairn/work/dev/kubernetes/cairn.auto.tfvars.json").toFile());
            assertThat(tfvars.path("vpc_id").asText()).isEqualTo(vpcId);
            assertThat(tfvars.path("subnet_ids")).isEqualTo(outputs.at("/network/private_subnet_ids"));
            // every stage but backend keeps its state in the bucket the backend stage created
            var listing = moto.get("/" + bucket + "?list-type=2");
            assertThat(listing).contains("dev/network.tfstate").contains("dev/kubernetes.tfstate").doesNotContain("dev/backend.tfstate");
            assertThat(repo.resolve(".cairn/state/dev/backend.tfstate")).exists();

            var again = cairn(moto, "apply", repo.toString(), "--infra", "dev", "--yes");
            assertThat(again.exit()).as(again.output()).isZero();
            assertThat(again.output()).contains("No changes. Infrastructure is up to date.");
            // and an explicit plan of every stage (saved plans, show -json) finds nothing to do
            var plan = cairn(moto, "plan", repo.toString(), "--infra", "dev", "-o", "json");
            assertThat(plan.exit()).as(plan.output()).isZero();
            var planned = Json.MAPPER.readTree(plan.output().substring(plan.output().indexOf('{')));
            for (var stage : List.of("backend", "network", "domain", "kubernetes", "addons")) {
                assertThat(planned.at("/stages/" + stage + "/status").asText()).as(stage).isEqualTo("NO_CHANGES");
            }

            var destroy = cairn(moto, "destroy", repo.toString(), "--infra", "dev", "--yes");
            assertThat(destroy.exit()).as(destroy.output() + logs(repo)).isZero();
            assertThat(destroy.output()).contains("Destroy complete");
            assertThat(moto.get("/?list-type=2")).doesNotContain(bucket);
        }
    }

    private static String logs(Path repo) throws Exception {
        var dir = repo.resolve(".cairn/logs");
        if (!Files.isDirectory(dir)) return "";
        var sb = new StringBuilder("\n--- stage logs ---\n");
        try (Stream<Path> files = Files.walk(dir)) {
            for (var f : files.filter(Files::isRegularFile).toList()) {
                var text = Files.readString(f);
                if (text.contains("exit 1")) sb.append("== ").append(f).append('\n').append(text, Math.max(0, text.length() - 3000), text.length());
            }
        }
        return sb.toString();
    }
}
