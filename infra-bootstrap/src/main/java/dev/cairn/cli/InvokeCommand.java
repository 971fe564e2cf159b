package dev.cairn.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.cli.invoke.DeployedStack;
import dev.cairn.cli.invoke.EnvironmentResolver;
import dev.cairn.cli.invoke.HandlerInvoker;
import dev.cairn.cli.invoke.LocalContext;
import dev.cairn.cli.invoke.ResolvedEnvironment;
import dev.cairn.cli.invoke.SamTemplate;
import dev.cairn.reconciler.diag.Diagnostic;
import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.reconciler.diag.Location;
import dev.cairn.reconciler.manifest.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code cairn invoke FUNCTION --event FILE}: runs a function of the SAM template in this JVM, with
 * the environment the template gives it (resolved against a deployed stack with {@code --stack}),
 * the way {@code sam local invoke} would without Docker. Standard output carries only the
 * response; the handler's own output and logs go to standard error. Exit 0 whenever the handler
 * returned (a 4xx response included), 1 when it threw, 2 for bad usage.
 */
@Command(name = "invoke", description = "Run a Lambda function of template.yaml locally with an event file; prints its response as JSON.")
final class InvokeCommand implements Callable<Integer> {
    /** Process variables handed to the handler besides those the template names. */
    private static final String[] PASSED_PREFIXES = {"CAIRN_", "POWERTOOLS_", "AWS_ENDPOINT_URL"};
    private static final String[] PASSED_NAMES = {"AWS_REGION", "AWS_DEFAULT_REGION"};

    @Parameters(index = "0", paramLabel = "FUNCTION", description = "The function's logical id in the template (e.g. GitWebhookFunction).")
    String function;

    @Option(names = "--event", required = true, paramLabel = "FILE", description = "The event, as JSON (e.g. events/github-push.json).")
    Path event;

    @Option(names = "--template", paramLabel = "PATH", defaultValue = "template.yaml", description = "The SAM template (default: ${DEFAULT-VALUE}).")
    Path template;

    @Option(names = "--stack", paramLabel = "NAME", description = "A deployed stack whose resources (table, bucket, state machine, ...) the environment refers to; read through CloudFormation (AWS_ENDPOINT_URL for an emulator).")
    String stack;

    @Option(names = "--parameter", paramLabel = "KEY=VALUE", description = "A template parameter's value (overrides the stack's and the default).")
    Map<String, String> parameters = new LinkedHashMap<>();

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text (the response) or json (response, duration, request id, unset variables).")
    CommonOptions.Format output = CommonOptions.Format.text;

    @Option(names = "--verbose", description = "Where each variable came from, and a handler's stack trace when it throws.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    /** The environment the user exported; its variables override the template's (tests give their own). */
    Map<String, String> processEnv = System.getenv();

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        var sam = SamTemplate.load(template);
        var fn = sam.function(function);
        var eventBytes = readEvent();
        DeployedStack deployed;
        try {
            deployed = stack == null ? null : describe(stack);
        } catch (DeployedStack.UnavailableException e) {
            err.println("error: " + e.getMessage());
            err.println("    hint: is the stack deployed there? (bin/deploy-emulated for the emulator; AWS_ENDPOINT_URL and AWS_REGION select where)");
            err.flush();
            return Cairn.INVALID;
        }
        var region = deployed != null ? deployed.region() : regionOrNull();
        var resolved = new EnvironmentResolver(sam, parameters, deployed, region).resolve(fn, processEnv);
        var functionName = deployed != null && deployed.resources().containsKey(fn.logicalId())
                ? deployed.resources().get(fn.logicalId()).physicalId() : fn.logicalId();
        int memory = fn.memoryMb() == null ? 128 : fn.memoryMb();
        int timeout = fn.timeoutSeconds() == null ? 3 : fn.timeoutSeconds();
        var environment = handlerEnvironment(resolved, processEnv, functionName, memory, region);
        report(err, resolved);

        var context = new LocalContext(functionName, memory, timeout, region, err);
        var started = System.nanoTime();
        byte[] response;
        PrintStream stdout = System.out;
        try {
            System.setOut(System.err); // the handler's prints are logs, as in Lambda; stdout is the response
            response = new HandlerInvoker(Thread.currentThread().getContextClassLoader()).invoke(fn.handler(), environment, eventBytes, context);
        } catch (HandlerInvoker.LoadException | HandlerInvoker.EventException e) {
            err.println("error: " + fn.logicalId() + ": " + e.getMessage());
            err.flush();
            return Cairn.INVALID;
        } catch (HandlerInvoker.HandlerFailedException e) {
            err.println("error: " + fn.logicalId() + " threw " + e.getMessage());
            causes(err, e.getCause());
            if (verbose) e.getCause().printStackTrace(new PrintWriter(err, true));
            else err.println("    hint: --verbose shows the stack trace");
            err.flush();
            return Cairn.RUN_FAILED;
        } finally {
            System.setOut(stdout);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        if (millis > timeout * 1000L) {
            err.println("warning: " + fn.logicalId() + " took " + millis + " ms, over its Timeout of " + timeout + " s: Lambda would have stopped it");
        }
        print(out, err, fn, context, millis, resolved, response);
        failure(err, fn, response, environment);
        return Cairn.OK;
    }

    /** The chain below a handler's exception, one line each (what JGit's TransportException wraps, for one). */
    static void causes(PrintWriter err, Throwable thrown) {
        int depth = 0;
        for (var cause = thrown.getCause(); cause != null && cause != thrown && depth < 10; cause = cause.getCause(), depth++) {
            err.println("    caused by " + cause.getClass().getName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        }
    }

    /**
     * A handler that caught its own failure answers an API Gateway 5xx ({@code {"outcome":"error",
     * "message":...}}) and returns normally; say so on standard error, and for the webhook's failed
     * fetch what to check, since its answer names only the exception's class.
     */
    private static void failure(PrintWriter err, SamTemplate.Function fn, byte[] response, Map<String, String> environment) {
        JsonNode answer;
        try {
            answer = Json.MAPPER.readTree(response);
        } catch (IOException | RuntimeException notJson) {
            return;
        }
        if (answer == null || !answer.path("statusCode").canConvertToInt() || answer.path("statusCode").asInt() < 500) return;
        String message;
        try {
            message = Json.MAPPER.readTree(answer.path("body").asText("{}")).path("message").asText("");
        } catch (IOException notJson) {
            message = "";
        }
        err.println("warning: " + fn.logicalId() + " answered " + answer.path("statusCode").asInt() + (message.isBlank() ? "" : ": " + message));
        if (message.matches(".*\\((TransportException|InvalidRemoteException|NoRemoteRepositoryException)\\).*")) {
            var repo = environment.get("CAIRN_REPO_URL");
            err.println("    hint: the repository could not be fetched from " + (repo == null || repo.isBlank() ? "the payload's clone_url" : repo)
                    + ": it must exist and be reachable from here (a private one needs CAIRN_GIT_TOKEN, and CAIRN_GIT_USERNAME unless it is "
                    + "x-access-token); for a local try, --parameter RepoUrl=file:///path/to/repo.git and an event whose clone_url is that "
                    + "URL and whose commits are in it: python3 events/retarget.py EVENT --repo URL --base SHA --head SHA (events/README.md)");
        } else {
            err.println("    hint: the handler caught the failure and logged it above (standard error)");
        }
        err.flush();
    }

    private byte[] readEvent() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(event);
        } catch (IOException e) {
            throw new InvalidInputException(new Diagnostic(Location.file(event), "event-unreadable",
                    "cannot read the event file: " + e.getClass().getSimpleName(), "pass a JSON event with --event FILE (see events/)"));
        }
        try {
            Json.MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            var location = at == null ? Location.file(event) : Location.of(event, Math.max(1, at.getLineNr()), Math.max(1, at.getColumnNr()));
            throw new InvalidInputException(new Diagnostic(location, "event-json", "the event is not valid JSON: " + e.getOriginalMessage(), null));
        } catch (IOException e) {
            throw new InvalidInputException(new Diagnostic(Location.file(event), "event-json", "the event is not valid JSON", null));
        }
        return bytes;
    }

    private static DeployedStack describe(String name) {
        return DeployedStack.describe(name);
    }

    private String regionOrNull() {
        for (var name : PASSED_NAMES) {
            var value = processEnv.get(name);
            if (value != null && !value.isBlank()) return value;
        }
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion().id();
        } catch (RuntimeException noRegion) {
            return null;
        }
    }

    /**
     * What the handler's constructor gets: the template's variables as resolved, then the
     * process's CAIRN_*, POWERTOOLS_*, AWS_REGION and AWS_ENDPOINT_URL* (what a user exports to
     * point a handler somewhere), and the variables the Lambda runtime itself sets.
     */
    static Map<String, String> handlerEnvironment(ResolvedEnvironment resolved, Map<String, String> processEnv,
                                                  String functionName, int memoryMb, String region) {
        var env = new LinkedHashMap<String, String>();
        env.put("AWS_LAMBDA_FUNCTION_NAME", functionName);
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", String.valueOf(memoryMb));
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        if (region != null) env.put("AWS_REGION", region);
        processEnv.forEach((name, value) -> {
            for (var prefix : PASSED_PREFIXES) if (name.startsWith(prefix)) env.put(name, value);
            for (var exact : PASSED_NAMES) if (name.equals(exact)) env.put(name, value);
        });
        resolved.unresolved().keySet().forEach(env::remove);
        env.putAll(resolved.values());
        return env;
    }

    private void report(PrintWriter err, ResolvedEnvironment resolved) {
        if (verbose) {
            resolved.sources().forEach((name, source) -> err.println("env: " + name + " from " + source));
        }
        if (!resolved.unresolved().isEmpty()) {
            err.println("note: left unset, so the handler's local default applies (pass --stack NAME, or export them):");
            resolved.unresolved().forEach((name, reason) -> err.println("    " + name + ": " + reason));
        }
        err.flush();
    }

    private void print(PrintWriter out, PrintWriter err, SamTemplate.Function fn, LocalContext context, long millis,
                       ResolvedEnvironment resolved, byte[] response) {
        Object body;
        try {
            body = response.length == 0 ? null : Json.MAPPER.readTree(response);
        } catch (IOException notJson) {
            body = new String(response, StandardCharsets.UTF_8);
        }
        try {
            if (output == CommonOptions.Format.json) {
                var envelope = new LinkedHashMap<String, Object>();
                envelope.put("function", fn.logicalId());
                envelope.put("requestId", context.getAwsRequestId());
                envelope.put("durationMs", millis);
                envelope.put("unresolved", resolved.unresolved());
                envelope.put("response", body);
                out.println(Json.MAPPER.writeValueAsString(envelope));
            } else {
                out.println(body instanceof String s ? s : Json.MAPPER.writeValueAsString(body));
                err.println(fn.logicalId() + " returned in " + millis + " ms (request " + context.getAwsRequestId() + ")");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
        err.flush();
    }
}
