package dev.cairn.cli.serve;

import dev.cairn.cli.invoke.EnvironmentResolver;
import dev.cairn.cli.invoke.SamTemplate;
import dev.cairn.reconciler.diag.Diagnostic;
import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.reconciler.diag.Location;
import dev.cairn.statemachine.StateMachine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The state machine {@code template.yaml} deploys, read the way SAM reads it: the file of its
 * {@code DefinitionUri} (relative to the template), with each {@code ${Name}} of
 * {@code DefinitionSubstitutions} replaced by the substitution's value, resolved against the local
 * stack ({@link LocalFunctions#stack()}: {@code !GetAtt Fn.Arn} is
 * {@code arn:aws:lambda:local:000000000000:function:Fn}, {@code AWS::StackName} is
 * {@value LocalFunctions#STACK}). A {@code ${...}} that names no substitution is left as it is, as
 * SAM leaves it.
 *
 * @param substitutions the resolved values, e.g. {@code TaskFunctionArn} and {@code BuildProjectName}
 */
public record ReconcileDefinition(String logicalId, Path file, Map<String, String> substitutions, StateMachine machine) {
    static final String STATE_MACHINE = "AWS::Serverless::StateMachine";
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}");

    public static ReconcileDefinition load(LocalFunctions functions) {
        var template = functions.template();
        var ids = template.resourceTypes().entrySet().stream().filter(e -> STATE_MACHINE.equals(e.getValue())).map(Map.Entry::getKey).toList();
        if (ids.size() != 1) {
            throw invalid(template, "serve-state-machine", "cairn serve runs the template's one " + STATE_MACHINE + "; it declares " + ids.size(),
                    "the template is Cairn's template.yaml (--template PATH)");
        }
        var id = ids.getFirst();
        var props = template.properties(id);
        if (!(props.get("DefinitionUri") instanceof String uri) || uri.isBlank()) {
            throw invalid(template, "serve-definition-uri", "state machine " + id + " has no DefinitionUri (a local file path)",
                    "keep the definition in its own file (statemachine/reconcile.asl.json), as the SAM samples do");
        }
        var file = template.file().toAbsolutePath().getParent().resolve(uri).normalize();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw invalid(template, "serve-definition-unreadable", "cannot read " + file + " (DefinitionUri of " + id + "): " + e.getMessage(), null);
        }
        var substitutions = substitutions(functions, id, props.get("DefinitionSubstitutions"));
        var substituted = substitute(text, substitutions);
        var machine = StateMachine.parse(substituted, template.file().toAbsolutePath().getParent().relativize(file).toString());
        return new ReconcileDefinition(id, file, substitutions, machine);
    }

    private static Map<String, String> substitutions(LocalFunctions functions, String id, Object declared) {
        var entries = new LinkedHashMap<String, Object>();
        if (declared instanceof Map<?, ?> map) map.forEach((k, v) -> entries.put(String.valueOf(k), v));
        var template = functions.template();
        // the resolver evaluates a function's variables; the substitutions are resolved as if they were one's
        var asFunction = new SamTemplate.Function(id, "-", entries, null, null, Location.file(template.file()));
        var resolved = new EnvironmentResolver(template, Map.of(), functions.stack(), LocalFunctions.REGION).resolve(asFunction, Map.of());
        if (!resolved.unresolved().isEmpty()) {
            var first = resolved.unresolved().entrySet().iterator().next();
            throw invalid(template, "serve-substitution", "DefinitionSubstitutions " + first.getKey() + " of " + id + " cannot be resolved locally: "
                    + first.getValue(), "substitute function ARNs (!GetAtt Fn.Arn), parameters and AWS::StackName only");
        }
        return Map.copyOf(resolved.values());
    }

    static String substitute(String text, Map<String, String> substitutions) {
        var matcher = VARIABLE.matcher(text);
        var out = new StringBuilder();
        while (matcher.find()) {
            var value = substitutions.get(matcher.group(1));
            matcher.appendReplacement(out, Matcher.quoteReplacement(value == null ? matcher.group() : value));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static InvalidInputException invalid(SamTemplate template, String rule, String message, String hint) {
        return new InvalidInputException(new Diagnostic(Location.file(template.file()), rule, message, hint));
    }
}
