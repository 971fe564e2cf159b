package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.aws.AwsClients;
import dev.cairn.reconciler.bundle.StageRenderer;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.Redactor;
import dev.cairn.reconciler.run.RunRefusedException;
import dev.cairn.reconciler.store.local.AtomicFiles;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sts.StsClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What {@code cairn stage} adds to the environment of the Terraform processes, and of nothing
 * else (the stores keep the build's own credentials):
 *
 * <ul>
 *   <li><b>The target account's role</b>: with {@value #TARGET_ROLE_ARN} set, one STS
 *       {@code AssumeRole} (session {@code cairn-RUN-STAGE}, {@value #SESSION_SECONDS} seconds,
 *       default 3600, 900–43200; the external id the manifest gives, {@code spec.provider.externalId})
 *       and its temporary credentials as {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}/
 *       {@code AWS_SESSION_TOKEN}. The bundle's generated provider and S3 backend blocks would assume
 *       that role again, from itself: their {@code assume_role} for it is taken out of the work dir.
 *       The variables through which CodeBuild hands out the build's own role (the container
 *       credentials endpoint) are emptied for Terraform, so a module sees the target role only.</li>
 *   <li><b>Stage secrets</b>: {@value #STAGE_SECRETS}, a JSON object of environment variable names
 *       ({@code TF_VAR_db_password}) to either the value itself (what CodeBuild hands over for a
 *       {@code SECRETS_MANAGER} variable holding such an object) or {@code {"secretId": "ARN or name",
 *       "jsonKey": "optional field"}}, read from Secrets Manager with the build's role.</li>
 * </ul>
 *
 * <b>Previews</b> ({@code cairn stage preview}, a pull request's module code): {@value #TARGET_ROLE_ARN}
 * is then the manifest's {@code spec.provider.previewRoleArn}, assumed in place of the bundle's
 * {@code roleArn}; a bundle that assumes {@code roleArn} with no preview role given is refused, so a
 * preview never runs with the apply role (in AWS the preview project's role could not assume it anyway).
 *
 * <p>Every value is taught to the redactor before anything runs; none is ever printed, and an error
 * about them names the variable, never its content.
 */
final class StageEnvironment {
    static final String TARGET_ROLE_ARN = "CAIRN_TARGET_ROLE_ARN";
    static final String SESSION_SECONDS = "CAIRN_TARGET_SESSION_SECONDS";
    static final String STAGE_SECRETS = "CAIRN_STAGE_SECRETS";
    static final int DEFAULT_SESSION_SECONDS = 3600;
    private static final List<String> BUILD_ROLE_VARIABLES = List.of("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Set<String> RESERVED = Set.of("PATH", "HOME", "SHELL", "USER", "TMPDIR", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS",
            "TF_IN_AUTOMATION", "TF_INPUT", "TF_DATA_DIR", "TF_WORKSPACE", "CHECKPOINT_DISABLE");

    private StageEnvironment() {
    }

    /**
     * @param env the process's environment (in CodeBuild: the project's and the state machine's variables)
     * @param dir the extracted bundle; its generated provider and backend lose the assume_role of the target role
     * @return the variables to add to Terraform's environment (empty when neither is configured)
     */
    static Map<String, String> resolve(Map<String, String> env, Path dir, String runId, String stage, Redactor redactor) throws IOException {
        return resolve(env, dir, runId, stage, redactor, false);
    }

    /** @param preview the preview step: the role given replaces the bundle's {@code roleArn}, and none given refuses a bundle that assumes one */
    static Map<String, String> resolve(Map<String, String> env, Path dir, String runId, String stage, Redactor redactor, boolean preview)
            throws IOException {
        var out = new LinkedHashMap<String, String>();
        var secrets = env.get(STAGE_SECRETS);
        if (secrets != null && !secrets.isBlank()) {
            out.putAll(secrets(env, secrets, redactor));
            // Terraform gets each value under its own name, not the whole object again
            out.put(STAGE_SECRETS, "");
        }
        var role = env.get(TARGET_ROLE_ARN);
        if (role != null && !role.isBlank()) out.putAll(assume(env, role.strip(), dir, runId, stage, redactor, preview));
        else if (preview) refuseApplyRole(dir);
        return out;
    }

    /** A preview given no preview role: the bundle must not assume the manifest's (apply) {@code roleArn}. */
    private static void refuseApplyRole(Path dir) throws IOException {
        for (var file : List.of(Map.entry(StageRenderer.PROVIDER, "/provider/aws"), Map.entry(StageRenderer.BACKEND, "/terraform/backend/s3"))) {
            var path = dir.resolve(file.getKey());
            if (!Files.isRegularFile(path)) continue;
            var bundled = Json.MAPPER.readTree(path.toFile()).at(file.getValue()).path("assume_role").path("role_arn").asText("");
            if (!bundled.isEmpty()) {
                throw new RunRefusedException("a preview never assumes spec.provider.roleArn (" + bundled + "): it runs the pull request's "
                        + "module code, and that is the apply role. Set spec.provider.previewRoleArn to a read-only role (in AWS one that "
                        + "matches the template's PreviewRolePattern, default arn:aws:iam::*:role/cairn-preview-*, and trusts the stack's "
                        + "PreviewBuildRole) to preview this infrastructure; nothing was planned");
            }
        }
    }

    private static Map<String, String> assume(Map<String, String> env, String role, Path dir, String runId, String stage, Redactor redactor,
                                              boolean preview) throws IOException {
        var seconds = sessionSeconds(env);
        var externalId = withoutAssumeRole(dir.resolve(StageRenderer.PROVIDER), role, "/provider/aws", preview);
        withoutAssumeRole(dir.resolve(StageRenderer.BACKEND), role, "/terraform/backend/s3", preview);
        var session = sessionName(runId, stage);
        try (var sts = new AwsClients(env).build(StsClient.builder())) {
            var credentials = sts.assumeRole(b -> {
                b.roleArn(role).roleSessionName(session).durationSeconds(seconds);
                if (externalId != null) b.externalId(externalId);
            }).credentials();
            redactor.add(credentials.secretAccessKey());
            redactor.add(credentials.sessionToken());
            var out = new LinkedHashMap<String, String>();
            out.put("AWS_ACCESS_KEY_ID", credentials.accessKeyId());
            out.put("AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey());
            out.put("AWS_SESSION_TOKEN", credentials.sessionToken());
            // and not the build's own role: CodeBuild hands it out through the container credentials
            // endpoint named by these (an empty value is no value to the AWS SDKs)
            for (var name : BUILD_ROLE_VARIABLES) if (env.containsKey(name)) out.put(name, "");
            return out;
        } catch (SdkException e) {
            throw new RunRefusedException("cannot assume the target role " + role + " (session " + session + "): "
                    + firstLine(e.getMessage()) + "; the build's role needs sts:AssumeRole on it ("
                    + (preview ? "PreviewRolePattern: previews assume spec.provider.previewRoleArn" : "TargetRoleArns") + ") and the role must trust it");
        }
    }

    /** Session names are 2–64 characters of {@code [\w+=,.@-]}. */
    static String sessionName(String runId, String stage) {
        var name = ("cairn-" + runId + "-" + stage).replaceAll("[^\\w+=,.@-]", "-");
        return name.length() > 64 ? name.substring(0, 64) : name;
    }

    private static int sessionSeconds(Map<String, String> env) {
        var text = env.get(SESSION_SECONDS);
        if (text == null || text.isBlank()) return DEFAULT_SESSION_SECONDS;
        int seconds;
        try {
            seconds = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds < 900 || seconds > 43_200) {
            throw new RunRefusedException(SESSION_SECONDS + " must be a number of seconds from 900 to 43200 (STS's bounds; the role's "
                    + "MaxSessionDuration may be lower), not `" + text.strip() + "`");
        }
        return seconds;
    }

    /**
     * Takes the generated {@code assume_role} of {@code role} out of a bundle file (the build holds
     * that role's credentials already) and returns its {@code external_id}, if any. A bundle that
     * assumes another role than the build was given is refused, except in a preview (the bundle names
     * the apply role, the build was given the preview role in its place).
     */
    private static String withoutAssumeRole(Path file, String role, String pointer, boolean preview) throws IOException {
        if (!Files.isRegularFile(file)) return null;
        var root = Json.MAPPER.readTree(file.toFile());
        var block = root.at(pointer);
        if (!(block instanceof ObjectNode owner) || !owner.has("assume_role")) return null;
        var assume = owner.get("assume_role");
        var bundled = assume.path("role_arn").asText("");
        if (!bundled.equals(role) && !preview) {
            throw new RunRefusedException("the stage bundle assumes " + bundled + ", but the build was given " + TARGET_ROLE_ARN + "=" + role
                    + ": render the bundle and start the build from the same manifest");
        }
        var externalId = assume.path("external_id");
        owner.remove("assume_role");
        AtomicFiles.write(file, Json.MAPPER.writeValueAsBytes(root));
        return externalId.isTextual() ? externalId.asText() : null;
    }

    private static Map<String, String> secrets(Map<String, String> env, String text, Redactor redactor) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (IOException e) {
            // the parser's message quotes the text, which holds secrets
            throw new RunRefusedException(STAGE_SECRETS + " is not JSON: it must be an object of NAME: value or NAME: {\"secretId\": ...} (its content is not shown)");
        }
        if (root == null || !root.isObject()) {
            throw new RunRefusedException(STAGE_SECRETS + " must be a JSON object of NAME: value or NAME: {\"secretId\": ...} (its content is not shown)");
        }
        var out = new LinkedHashMap<String, String>();
        SecretsManagerClient client = null;
        try {
            for (var it = root.fields(); it.hasNext(); ) {
                var entry = it.next();
                var name = entry.getKey();
                checkName(name);
                var spec = entry.getValue();
                String value;
                if (spec.isTextual()) {
                    value = spec.asText();
                } else if (spec.isObject() && spec.path("secretId").isTextual()) {
                    if (client == null) client = new AwsClients(env).build(SecretsManagerClient.builder());
                    value = fromSecretsManager(client, name, spec.path("secretId").asText(), spec.path("jsonKey").asText(null));
                } else {
                    throw new RunRefusedException(STAGE_SECRETS + ": " + name + " must be a string or {\"secretId\": \"ARN or name\", \"jsonKey\": \"optional\"}");
                }
                if (value.length() < 4) {
                    throw new RunRefusedException(STAGE_SECRETS + ": the value of " + name + " is shorter than 4 characters, too short to be kept out of logs");
                }
                redactor.add(value);
                var escaped = Json.MAPPER.writeValueAsString(value);
                redactor.add(escaped.substring(1, escaped.length() - 1));
                out.put(name, value);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e.getClass().getSimpleName());
        } finally {
            if (client != null) client.close();
        }
        return out;
    }

    private static String fromSecretsManager(SecretsManagerClient client, String name, String secretId, String jsonKey) {
        String secret;
        try {
            secret = client.getSecretValue(b -> b.secretId(secretId)).secretString();
        } catch (SdkException e) {
            throw new RunRefusedException(STAGE_SECRETS + ": cannot read " + name + " from Secrets Manager secret " + secretId + ": "
                    + firstLine(e.getMessage()) + "; the build's role needs secretsmanager:GetSecretValue on it");
        }
        if (secret == null) throw new RunRefusedException(STAGE_SECRETS + ": secret " + secretId + " (for " + name + ") has no string value");
        if (jsonKey == null) return secret;
        JsonNode field;
        try {
            field = Json.MAPPER.readTree(secret).path(jsonKey);
        } catch (IOException e) {
            throw new RunRefusedException(STAGE_SECRETS + ": secret " + secretId + " (for " + name + ") is not JSON, so it has no key " + jsonKey);
        }
        if (!field.isTextual()) {
            throw new RunRefusedException(STAGE_SECRETS + ": secret " + secretId + " (for " + name + ") has no string field " + jsonKey);
        }
        return field.asText();
    }

    private static void checkName(String name) {
        var upper = name.toUpperCase(Locale.ROOT);
        boolean reserved = RESERVED.contains(upper) || upper.startsWith("AWS_") || upper.startsWith("CAIRN_") || upper.startsWith("LD_")
                || upper.startsWith("DYLD_") || (upper.startsWith("TF_") && !upper.startsWith("TF_VAR_") && !upper.startsWith("TF_TOKEN_"));
        if (!NAME.matcher(name).matches() || reserved) {
            throw new RunRefusedException(STAGE_SECRETS + ": `" + name + "` cannot be set: use TF_VAR_NAME for a Terraform variable, TF_TOKEN_HOST for "
                    + "a registry token, or a provider's own variable; AWS_*, CAIRN_*, other TF_* and the process's own are refused");
        }
    }

    private static String firstLine(String text) {
        if (text == null) return "";
        var line = text.lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) : line;
    }
}
