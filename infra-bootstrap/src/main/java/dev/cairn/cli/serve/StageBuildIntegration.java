package dev.cairn.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.cairn.cli.Cairn;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.statemachine.TaskCall;
import dev.cairn.statemachine.TaskFailure;
import dev.cairn.statemachine.TaskIntegration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code arn:aws:states:::codebuild:startBuild.sync}: the build {@code terraform-modules/buildspec.yml}
 * describes, as local child processes of this JVM's {@code cairn} ({@code java -cp CLASSPATH
 * dev.cairn.cli.Cairn stage STEP --infra I --run R --stage S --state-dir D}; an argument vector,
 * never a shell). The environment is this process's, without the AWS stores and the webhook and Slack secrets, plus
 * {@code EnvironmentVariablesOverride} and {@code CAIRN_STATE_DIR}. {@code CAIRN_STEP=planApply}
 * does what the buildspec does: plan with {@code --result}, then apply that plan's SHA-256 when it
 * has changes. The result is what {@code .sync} returns ({@code {"Build": {"Id", "BuildStatus",
 * ...}}}); a non-zero exit fails the task with {@code States.TaskFailed}, the cause naming the
 * build, its status and the step's {@code error:} line. An interrupted task (the execution was
 * stopped) kills the build's processes. Each build's output goes to
 * {@code STATE_DIR/serve/builds/ID.log}.
 */
final class StageBuildIntegration implements TaskIntegration {
    static final String RESOURCE = "arn:aws:states:::codebuild:startBuild.sync";
    private static final List<String> NOT_LOCAL = List.of("CAIRN_TABLE", "CAIRN_BUCKET", "CAIRN_KMS_KEY_ID", "CAIRN_JAR_KEY");
    /** Secrets of the webhook and the Slack app: a stage build has no use for them. */
    private static final List<String> NOT_FOR_BUILDS = List.of("CAIRN_SLACK_", "CAIRN_GITHUB_", "CAIRN_GITLAB_", "CAIRN_GIT_TOKEN");

    /** The preview project's name is the stage project's and this (template.yaml's PreviewBuild, the Preview state). */
    static final String PREVIEW_SUFFIX = "-preview";
    private final String projectName;
    private final Path stateDir;
    private final Path buildLogs;
    private final Map<String, String> processEnv;

    StageBuildIntegration(String projectName, Path stateDir, Map<String, String> processEnv) {
        this.projectName = projectName;
        this.stateDir = stateDir.toAbsolutePath().normalize();
        this.buildLogs = this.stateDir.resolve("serve").resolve("builds");
        this.processEnv = Map.copyOf(processEnv);
    }

    @Override
    public JsonNode run(TaskCall call) throws TaskFailure, InterruptedException {
        var project = call.parameters().path("ProjectName").asText("");
        // the template's two projects: the stage builds, and the preview builds (PreviewBuild, `NAME-preview`)
        boolean previewProject = project.equals(projectName + PREVIEW_SUFFIX);
        if (!project.equals(projectName) && !previewProject) {
            throw new TaskFailure("CodeBuild.ResourceNotFoundException", "Project cannot be found: " + project + " (cairn serve runs "
                    + projectName + " and " + projectName + PREVIEW_SUFFIX + ")");
        }
        var overrides = new LinkedHashMap<String, String>();
        for (var variable : call.parameters().path("EnvironmentVariablesOverride")) {
            overrides.put(variable.path("Name").asText(), variable.path("Value").isNull() ? "" : variable.path("Value").asText(""));
        }
        var buildId = project + ":" + UUID.randomUUID();
        // as in AWS, where the preview project's role can do nothing else: it runs the preview step only
        if (previewProject != "preview".equals(overrides.get("CAIRN_STEP"))) {
            throw new TaskFailure("States.TaskFailed", cause(buildId, "FAILED", previewProject
                    ? "the preview project " + project + " runs the preview step only, not " + overrides.get("CAIRN_STEP")
                    : "the preview step runs in the preview project " + projectName + PREVIEW_SUFFIX + ", not " + project));
        }
        var role = overrides.getOrDefault("CAIRN_TARGET_ROLE_ARN", "");
        if (!role.isBlank()) {
            throw new TaskFailure("States.TaskFailed", cause(buildId, "FAILED",
                    "the stage names spec.provider." + (previewProject ? "previewRoleArn " : "roleArn ") + role + ", which cairn serve does not assume (it has no AWS account): run it with `cairn apply`, or deploy Cairn"));
        }
        var step = overrides.getOrDefault("CAIRN_STEP", "");
        if (step.isBlank()) throw new TaskFailure("States.TaskFailed", cause(buildId, "FAILED", "the build has no CAIRN_STEP"));
        var env = environment(overrides);
        try {
            Files.createDirectories(buildLogs);
        } catch (IOException e) {
            throw new TaskFailure("States.TaskFailed", cause(buildId, "FAILED", "cannot create " + buildLogs + ": " + e.getMessage()));
        }
        var log = buildLogs.resolve(buildId.substring(buildId.indexOf(':') + 1) + ".log");
        if (step.equals("planApply")) {
            Path result = null;
            try {
                result = Files.createTempFile(buildLogs, "plan-", ".json");
                stage("plan", overrides, env, log, buildId, List.of("--result", result.toString()));
                var sha = Json.MAPPER.readTree(result.toFile()).path("planSha256").asText("");
                if (!sha.isBlank()) stage("apply", overrides, env, log, buildId, List.of("--plan-sha256", sha));
            } catch (IOException e) {
                throw new TaskFailure("States.TaskFailed", cause(buildId, "FAILED", "the plan step's result cannot be read: " + e.getMessage()));
            } finally {
                if (result != null) try {
                    Files.deleteIfExists(result);
                } catch (IOException ignored) {
                    // owner-only, under the state dir
                }
            }
        } else {
            stage(step, overrides, env, log, buildId, List.of());
        }
        var build = JsonNodeFactory.instance.objectNode();
        var body = build.putObject("Build");
        body.put("Id", buildId);
        body.put("BuildStatus", "SUCCEEDED");
        body.put("ProjectName", project);
        return build;
    }

    private Map<String, String> environment(Map<String, String> overrides) {
        var env = new LinkedHashMap<>(processEnv);
        env.keySet().removeIf(NOT_LOCAL::contains);
        env.keySet().removeIf(name -> NOT_FOR_BUILDS.stream().anyMatch(name::startsWith));
        env.putAll(overrides);
        env.put("CAIRN_STATE_DIR", stateDir.toString());
        return env;
    }

    private void stage(String step, Map<String, String> overrides, Map<String, String> env, Path log, String buildId, List<String> extra)
            throws TaskFailure, InterruptedException {
        var command = new ArrayList<String>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Cairn.class.getName());
        command.addAll(List.of("stage", step, "--infra", overrides.getOrDefault("CAIRN_INFRA", ""), "--run", overrides.getOrDefault("CAIRN_RUN", ""),
                "--stage", overrides.getOrDefault("CAIRN_STAGE", ""), "--state-dir", stateDir.toString()));
        command.addAll(extra);
        var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new TaskFailure("States.TaskFailed", cause(buildId, "FAILED", "cannot start `cairn stage`: " + e.getMessage()));
        }
        int exit;
        try {
            exit = process.waitFor();
        } catch (InterruptedException stopped) {
            kill(process);
            throw stopped;
        }
        if (exit != 0) {
            throw new TaskFailure("States.TaskFailed", cause(buildId, "FAILED", "cairn stage " + step + " exited " + exit + ": " + errorLine(log)));
        }
    }

    /** The build's processes (terraform under cairn stage) end with it. */
    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException again) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The last {@code error:} line the step printed (redacted by cairn stage), else a pointer to the log. */
    private static String errorLine(Path log) {
        try {
            var lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith("error: ")) return lines.get(i).substring("error: ".length());
            }
        } catch (IOException ignored) {
            // the pointer below
        }
        return "see " + log;
    }

    private static String cause(String buildId, String status, String message) {
        var cause = JsonNodeFactory.instance.objectNode();
        var build = cause.putObject("Build");
        build.put("Id", buildId);
        build.put("BuildStatus", status);
        cause.put("message", message);
        return cause.toString();
    }
}
