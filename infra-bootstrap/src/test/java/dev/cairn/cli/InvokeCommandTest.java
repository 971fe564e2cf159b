package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.reconciler.manifest.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** cairn invoke in-process, without a stack: test handlers from this module's test classes, the test template. */
class InvokeCommandTest {
    static final Path TEMPLATE = Path.of("src/test/resources/invoke/template.yaml").toAbsolutePath();
    static final Path EVENT = Path.of("src/test/resources/invoke/apigw-v2-event.json").toAbsolutePath();

    @TempDir
    Path tmp;

    record Result(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return Json.MAPPER.readTree(out);
        }
    }

    static Result invoke(Map<String, String> processEnv, String... args) {
        var cli = Cairn.commandLine();
        var out = new StringWriter();
        var err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        ((InvokeCommand) cli.getSubcommands().get("invoke").getCommand()).processEnv = processEnv;
        var argv = new ArrayList<>(List.of("invoke"));
        argv.addAll(List.of(args));
        int exit = cli.execute(argv.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }

    static Result invoke(String... args) {
        return invoke(Map.of("AWS_REGION", "eu-west-1"), args);
    }

    @Test
    void theHandlerGetsTheApiGatewayEventAndTheTemplateEnvironmentThroughItsMapConstructor() throws Exception {
        var result = invoke("EchoFunction", "--event", EVENT.toString(), "--template", TEMPLATE.toString());
        assertThat(result.exit()).as(result.err()).isZero();
        var response = result.json();
        assertThat(response.path("statusCode").asInt()).isEqualTo(200);
        var body = Json.MAPPER.readTree(response.path("body").asText());
        // the event as Lambda would deserialize it
        assertThat(body.path("method").asText()).isEqualTo("POST");
        assertThat(body.path("rawPath").asText()).isEqualTo("/webhooks/github");
        assertThat(body.at("/headers/x-github-event").asText()).isEqualTo("push");
        assertThat(body.at("/headers/x-hub-signature-256").asText()).isEqualTo("sha256=0000");
        assertThat(body.path("body").asText()).isEqualTo("{\"ref\":\"refs/heads/main\"}");
        assertThat(body.path("isBase64Encoded").asBoolean()).isFalse();
        // the environment: literals and parameter defaults resolved, resources left to the local default
        var env = body.path("env");
        assertThat(env.path("CAIRN_REPO_URL").asText()).isEqualTo("https://git.example/infra.git");
        assertThat(env.path("POWERTOOLS_SERVICE_NAME").asText()).isEqualTo("echo");
        assertThat(env.path("POWERTOOLS_LOG_LEVEL").asText()).isEqualTo("INFO");
        assertThat(env.path("CAIRN_JOINED").asText()).isEqualTo("main-b");
        assertThat(env.path("AWS_REGION").asText()).isEqualTo("eu-west-1");
        assertThat(env.path("AWS_LAMBDA_FUNCTION_NAME").asText()).isEqualTo("EchoFunction");
        assertThat(env.has("CAIRN_TABLE")).isFalse();
        assertThat(env.has("CAIRN_STATE_MACHINE_ARN")).isFalse();
        // the context
        assertThat(body.path("functionName").asText()).isEqualTo("EchoFunction");
        assertThat(body.path("memoryMb").asInt()).isEqualTo(512);
        assertThat(body.path("remainingMillis").asInt()).isBetween(1, 10_000);
        assertThat(body.path("requestId").asText()).hasSize(36);
        // what could not be resolved is said, on stderr; the handler's logs go there too (its prints to the process's stderr)
        assertThat(result.err()).contains("left unset").contains("CAIRN_TABLE: resource Table (AWS::DynamoDB::Table): needs --stack NAME")
                .contains("CAIRN_STATE_MACHINE_ARN: resource Machine (AWS::Serverless::StateMachine)")
                .contains("echo: a line the handler logged").contains("EchoFunction returned in");
        assertThat(result.out()).doesNotContain("echo: a line");
    }

    @Test
    void exportedVariablesOverrideTheTemplateAndPlainSecretsReachTheHandlerWithoutBeingPrinted() throws Exception {
        var result = invoke(Map.of("CAIRN_TABLE", "my-table", "CAIRN_GITHUB_WEBHOOK_SECRET", "s3cr3t-value", "HOME", "/nowhere"),
                "EchoFunction", "--event", EVENT.toString(), "--template", TEMPLATE.toString(), "--verbose", "--parameter", "Branch=release");
        assertThat(result.exit()).as(result.err()).isZero();
        var env = Json.MAPPER.readTree(result.json().path("body").asText()).path("env");
        assertThat(env.path("CAIRN_TABLE").asText()).isEqualTo("my-table");
        assertThat(env.path("CAIRN_GITHUB_WEBHOOK_SECRET").asText()).isEqualTo("s3cr3t-value");
        assertThat(env.path("CAIRN_JOINED").asText()).isEqualTo("release-b");
        assertThat(env.has("HOME")).isFalse();
        assertThat(result.err()).contains("env: CAIRN_TABLE from the process environment").doesNotContain("s3cr3t-value");
    }

    @Test
    void aForbiddenResponseIsStillAReturnAndExitsZero() throws Exception {
        var event = tmp.resolve("forbidden.json");
        Files.writeString(event, "{\"rawPath\": \"/webhooks/github\", \"headers\": {}, \"body\": \"forbidden\"}");
        var result = invoke("EchoFunction", "--event", event.toString(), "--template", TEMPLATE.toString(), "-o", "json");
        assertThat(result.exit()).as(result.err()).isZero();
        var envelope = result.json();
        assertThat(envelope.path("function").asText()).isEqualTo("EchoFunction");
        assertThat(envelope.at("/response/statusCode").asInt()).isEqualTo(403);
        assertThat(envelope.path("durationMs").asLong()).isNotNegative();
        assertThat(envelope.at("/unresolved/CAIRN_TABLE").asText()).contains("needs --stack");
    }

    @Test
    void aHandlerWithOnlyANoArgConstructorAndAMapInputRuns() throws Exception {
        var event = tmp.resolve("map.json");
        Files.writeString(event, "{\"hello\": \"world\", \"n\": 3}");
        var result = invoke("NoArgFunction", "--event", event.toString(), "--template", TEMPLATE.toString());
        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.json().path("constructor").asText()).isEqualTo("no-arg");
        assertThat(result.json().at("/got/hello").asText()).isEqualTo("world");
        assertThat(result.json().at("/got/n").asInt()).isEqualTo(3);
    }

    @Test
    void aHandlerThatThrowsExitsOneWithItsMessageAndTheStackTraceOnlyWhenVerbose() {
        var result = invoke("ThrowingFunction", "--event", EVENT.toString(), "--template", TEMPLATE.toString());
        assertThat(result.exit()).isEqualTo(Cairn.RUN_FAILED);
        assertThat(result.err()).contains("ThrowingFunction threw java.lang.IllegalStateException: the repository cannot be fetched")
                .contains("    caused by java.io.IOException: https://git.example/infra.git: not found")
                .contains("    caused by java.net.UnknownHostException: git.example")
                .doesNotContain("\tat ");
        assertThat(result.out()).isEmpty();
        var verbose = invoke("ThrowingFunction", "--event", EVENT.toString(), "--template", TEMPLATE.toString(), "--verbose");
        assertThat(verbose.exit()).isEqualTo(Cairn.RUN_FAILED);
        assertThat(verbose.err()).contains("\tat dev.cairn.cli.invoke.ThrowingFunction.handleRequest");
    }

    /**
     * The real webhook function of the real template, on the documented pull request event pointed
     * at a repository that does not exist: it answers 500 naming only the exception's class, and
     * invoke says what failed and what to set.
     */
    @Test
    void aWebhookThatCannotFetchItsRepositoryIsToldWhatToCheck() throws Exception {
        var repoRoot = Path.of(System.getProperty("cairn.repoRoot", "..")).toAbsolutePath().normalize();
        var missing = tmp.resolve("no-such-repo.git").toUri().toString();
        var event = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(Files.readAllBytes(repoRoot.resolve("events/github-pull-request.json")));
        var body = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(event.path("body").asText());
        for (var repo : List.of(body.path("repository"), body.at("/pull_request/base/repo"), body.at("/pull_request/head/repo"))) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) repo).put("clone_url", missing);
        }
        var signed = Json.MAPPER.writeValueAsString(body);
        event.put("body", signed);
        var headers = (com.fasterxml.jackson.databind.node.ObjectNode) event.path("headers");
        headers.put("x-hub-signature-256", dev.cairn.functions.WebhookSignatures.githubSignature("cairn-dev-webhook-secret", signed.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        headers.put("content-length", String.valueOf(signed.getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
        var file = tmp.resolve("pr.json");
        Files.write(file, Json.MAPPER.writeValueAsBytes(event));

        var result = invoke(Map.of("AWS_REGION", "eu-west-1", "CAIRN_GITHUB_WEBHOOK_SECRET", "cairn-dev-webhook-secret",
                        "CAIRN_STATE_DIR", tmp.resolve("state").toString(), "CAIRN_GIT_CACHE_DIR", tmp.resolve("cache").toString()),
                "GitWebhookFunction", "--event", file.toString(), "--template", repoRoot.resolve("template.yaml").toString(), "--parameter", "RepoUrl=" + missing);
        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.json().path("statusCode").asInt()).isEqualTo(500);
        assertThat(result.err()).contains("warning: GitWebhookFunction answered 500: handling failed (InvalidRemoteException)")
                .contains("hint: the repository could not be fetched from " + missing + ": it must exist and be reachable from here")
                .contains("--parameter RepoUrl=file:///path/to/repo.git").contains("events/retarget.py EVENT --repo URL")
                .doesNotContain("cairn-dev-webhook-secret");
    }

    @Test
    void anUnknownFunctionExitsTwoWithADidYouMean() {
        var result = invoke("EchoFuncion", "--event", EVENT.toString(), "--template", TEMPLATE.toString());
        assertThat(result.exit()).isEqualTo(Cairn.INVALID);
        assertThat(result.err()).contains(TEMPLATE + ":1:1: unknown-function: no function `EchoFuncion` in the template")
                .contains("hint: did you mean `EchoFunction`?");
    }

    @Test
    void aHandlerClassNotOnTheClasspathExitsTwoAndSaysSo() {
        var result = invoke("MissingClassFunction", "--event", EVENT.toString(), "--template", TEMPLATE.toString());
        assertThat(result.exit()).isEqualTo(Cairn.INVALID);
        assertThat(result.err()).contains("handler class dev.cairn.cli.invoke.NoSuchFunction is not on the classpath");
    }

    @Test
    void anEventThatIsNotJsonExitsTwoWithItsLineAndColumn() throws Exception {
        var event = tmp.resolve("broken.json");
        Files.writeString(event, "{\n  \"body\": \"x\",\n  oops\n}");
        var result = invoke("EchoFunction", "--event", event.toString(), "--template", TEMPLATE.toString());
        assertThat(result.exit()).isEqualTo(Cairn.INVALID);
        assertThat(result.err()).contains(event + ":3:3: event-json: the event is not valid JSON");
        var missing = invoke("EchoFunction", "--event", tmp.resolve("none.json").toString(), "--template", TEMPLATE.toString());
        assertThat(missing.exit()).isEqualTo(Cairn.INVALID);
        assertThat(missing.err()).contains("none.json:1:1: event-unreadable");
    }

    @Test
    void aMissingTemplateAndAMissingEventFlagAreUsageErrors() {
        var noTemplate = invoke("EchoFunction", "--event", EVENT.toString(), "--template", tmp.resolve("absent.yaml").toString());
        assertThat(noTemplate.exit()).isEqualTo(Cairn.INVALID);
        assertThat(noTemplate.err()).contains("absent.yaml:1:1: template-unreadable");
        var noEvent = invoke("EchoFunction", "--template", TEMPLATE.toString());
        assertThat(noEvent.exit()).isEqualTo(Cairn.INVALID);
        assertThat(noEvent.err()).contains("Missing required option: '--event=FILE'");
    }
}
