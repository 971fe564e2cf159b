package dev.cairn.cli.serve;

import dev.cairn.cli.invoke.DeployedStack;
import dev.cairn.cli.invoke.EnvironmentResolver;
import dev.cairn.cli.invoke.HandlerInvoker;
import dev.cairn.cli.invoke.LocalContext;
import dev.cairn.cli.invoke.SamTemplate;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The functions of {@code template.yaml} as {@code cairn serve} runs them: in this JVM
 * ({@link HandlerInvoker}, a fresh handler per invocation), each with the environment the template
 * gives it resolved without a stack, so every AWS resource reference stays unset and the handlers
 * take their local branch. On top: the serve settings ({@code CAIRN_STATE_DIR}, the git cache, the
 * repository), the secrets the user exported ({@code CAIRN_*}), and never an AWS store or a
 * Secrets Manager name ({@link #AWS_ONLY}): serve needs no AWS account.
 */
public final class LocalFunctions {
    /** The local "stack": its name, region and account, for ARNs the definition's substitutions need. */
    public static final String STACK = "cairn-local";
    public static final String REGION = "local";
    public static final String ACCOUNT = "000000000000";
    static final String ARN_PREFIX = "arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:";
    /** Variables dropped from every handler's environment: they would send a handler to AWS. */
    static final List<String> AWS_ONLY = List.of("CAIRN_TABLE", "CAIRN_BUCKET", "CAIRN_KMS_KEY_ID", "CAIRN_STATE_MACHINE_ARN",
            "AWS_ENDPOINT_URL");

    private final SamTemplate template;
    private final Map<String, String> parameters;
    private final Map<String, String> processEnv;
    private final Map<String, String> serveEnv;
    private final Map<String, Map<String, String>> environments = new ConcurrentHashMap<>();
    private final HandlerInvoker invoker = new HandlerInvoker(LocalFunctions.class.getClassLoader());

    /**
     * @param parameters the template parameters serve sets ({@code RepoUrl})
     * @param processEnv what the user exported (secrets such as {@code CAIRN_GITHUB_WEBHOOK_SECRET})
     * @param serveEnv   serve's own settings, which win over everything
     */
    public LocalFunctions(SamTemplate template, Map<String, String> parameters, Map<String, String> processEnv, Map<String, String> serveEnv) {
        this.template = template;
        this.parameters = Map.copyOf(parameters);
        this.processEnv = Map.copyOf(processEnv);
        this.serveEnv = Map.copyOf(serveEnv);
    }

    public SamTemplate template() {
        return template;
    }

    /** The local stack the definition's {@code DefinitionSubstitutions} resolve against: every function, by its logical id. */
    DeployedStack stack() {
        var resources = new LinkedHashMap<String, DeployedStack.Resource>();
        for (var id : template.functionIds()) resources.put(id, new DeployedStack.Resource("AWS::Lambda::Function", id));
        return new DeployedStack(STACK, "aws", REGION, ACCOUNT, Map.of(), resources);
    }

    /** The function an ARN (qualified or not) or a bare name names, when it is one of the template's. */
    public Optional<String> functionOf(String nameOrArn) {
        if (nameOrArn == null) return Optional.empty();
        var name = nameOrArn.startsWith(ARN_PREFIX) ? nameOrArn.substring(ARN_PREFIX.length()) : nameOrArn;
        var colon = name.indexOf(':');
        if (colon >= 0) name = name.substring(0, colon);
        return template.functionIds().contains(name) ? Optional.of(name) : Optional.empty();
    }

    /** The environment {@code logicalId}'s handler gets (values are never logged). */
    public Map<String, String> environment(String logicalId) {
        return environments.computeIfAbsent(logicalId, id -> {
            var fn = template.function(id);
            var resolved = new EnvironmentResolver(template, parameters, null, REGION).resolve(fn, Map.of());
            var env = new LinkedHashMap<String, String>();
            env.put("AWS_LAMBDA_FUNCTION_NAME", STACK + "-" + id);
            env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", String.valueOf(fn.memoryMb() == null ? 128 : fn.memoryMb()));
            env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
            env.putAll(resolved.values());
            processEnv.forEach((name, value) -> {
                if (name.startsWith("CAIRN_") || name.startsWith("POWERTOOLS_")) env.put(name, value);
            });
            env.putAll(serveEnv);
            // a Secrets Manager name would send the handler to AWS for a value: locally the value itself is exported
            env.keySet().removeIf(name -> name.startsWith("CAIRN_") && name.endsWith("_NAME"));
            env.keySet().removeIf(name -> AWS_ONLY.stream().anyMatch(name::startsWith));
            return Map.copyOf(env);
        });
    }

    /**
     * Runs the function's handler once with {@code event} (JSON); returns its response JSON.
     *
     * @throws HandlerInvoker.HandlerFailedException the handler threw (its cause)
     */
    public byte[] invoke(String logicalId, byte[] event, Writer log) {
        var fn = template.function(logicalId);
        var context = new LocalContext(STACK + "-" + logicalId, fn.memoryMb() == null ? 128 : fn.memoryMb(),
                fn.timeoutSeconds() == null ? 3 : fn.timeoutSeconds(), REGION, new PrintWriter(log, true));
        return invoker.invoke(fn.handler(), environment(logicalId), event, context);
    }
}
