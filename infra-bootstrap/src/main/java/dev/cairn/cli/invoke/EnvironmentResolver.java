package dev.cairn.cli.invoke;

import dev.cairn.reconciler.diag.Location;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Resolves a function's environment variables the way CloudFormation would have at deploy time:
 * literals as they are; {@code Ref} of a parameter → {@code --parameter} override, else the
 * deployed stack's value, else the default; {@code Ref}/{@code Fn::GetAtt}/{@code Fn::Sub} of a
 * resource → the stack's physical id, or an ARN derived from it; {@code Fn::If} with the
 * template's conditions; {@code Fn::Join}, {@code Fn::Select}, {@code Fn::Split},
 * {@code Fn::FindInMap}, {@code Fn::Base64}. Without a stack, resource references stay unset and
 * are reported. A reference to a resource the stack lacks (an emulator skips some types) is an
 * error, as is a reference to a name the template does not declare. A variable the user exported
 * in the process environment is taken from there and not resolved at all.
 */
public final class EnvironmentResolver {
    /** What moto's CloudFormation accepts but does not create, for the hint (DESIGN.md, verified). */
    static final String EMULATOR_SKIPS = "AWS::ApiGatewayV2::*, AWS::CodeBuild::Project, AWS::SecretsManager::Secret, "
            + "AWS::S3::BucketPolicy, AWS::Scheduler::Schedule, AWS::Lambda::Alias";
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]*)}");
    private static final Object NO_VALUE = new Object();

    private final SamTemplate template;
    private final Map<String, String> parameterOverrides;
    private final DeployedStack stack;
    private final String region;

    /**
     * @param stack  the deployed stack, or {@code null} to leave resource references unset
     * @param region the region for {@code AWS::Region} when there is no stack, or {@code null}
     */
    public EnvironmentResolver(SamTemplate template, Map<String, String> parameterOverrides, DeployedStack stack, String region) {
        this.template = template;
        this.parameterOverrides = Map.copyOf(parameterOverrides);
        this.stack = stack;
        this.region = stack != null ? stack.region() : region;
        var unknown = new ArrayList<String>();
        parameterOverrides.keySet().forEach(k -> {
            if (!template.parameters().containsKey(k)) unknown.add(k);
        });
        if (!unknown.isEmpty()) {
            throw SamTemplate.invalid(Location.file(template.file()), "unknown-parameter",
                    "--parameter " + String.join(", ", unknown) + ": not a parameter of the template",
                    "the parameters are: " + String.join(", ", template.parameters().keySet()));
        }
    }

    /** Thrown inside a resolution when a value cannot be known here; the variable stays unset. */
    private static final class Unresolvable extends RuntimeException {
        Unresolvable(String reason) {
            super(reason, null, false, false);
        }
    }

    public ResolvedEnvironment resolve(SamTemplate.Function function, Map<String, String> processEnv) {
        var values = new LinkedHashMap<String, String>();
        var sources = new LinkedHashMap<String, String>();
        var unresolved = new LinkedHashMap<String, String>();
        for (var entry : function.environment().entrySet()) {
            var name = entry.getKey();
            if (processEnv.containsKey(name)) {
                values.put(name, processEnv.get(name));
                sources.put(name, "the process environment");
                continue;
            }
            try {
                var value = resolve(name, entry.getValue());
                if (value == NO_VALUE) continue;
                if (!(value instanceof String s)) {
                    throw SamTemplate.invalid(template.locationOf(entry.getValue()), "env-not-string",
                            "environment variable " + name + " is not a string", "write a scalar value");
                }
                values.put(name, s);
                sources.put(name, entry.getValue() instanceof Intrinsic ? (stack == null ? "the template" : "stack " + stack.name()) : "the template");
            } catch (Unresolvable e) {
                unresolved.put(name, e.getMessage());
            }
        }
        return new ResolvedEnvironment(values, sources, unresolved);
    }

    private Object resolve(String variable, Object value) {
        return switch (value) {
            case null -> "";
            case String s -> s;
            case Intrinsic fn -> intrinsic(variable, fn);
            case List<?> list -> list.stream().map(item -> resolve(variable, item)).toList();
            default -> value;
        };
    }

    private String string(String variable, Object value, Location at) {
        var resolved = resolve(variable, value);
        if (resolved instanceof String s) return s;
        throw SamTemplate.invalid(at, "intrinsic-argument", variable + ": expected a string here", null);
    }

    private Object intrinsic(String variable, Intrinsic fn) {
        var arg = fn.argument();
        return switch (fn.name()) {
            case "Ref" -> ref(variable, text(fn, arg), fn.at());
            case "Fn::GetAtt" -> {
                var parts = list(fn, arg);
                if (parts.size() != 2) throw badArgument(fn, "[Resource, Attribute]");
                yield getAtt(variable, string(variable, parts.get(0), fn.at()), string(variable, parts.get(1), fn.at()), fn.at());
            }
            case "Fn::Sub" -> sub(variable, fn);
            case "Fn::If" -> {
                var parts = list(fn, arg);
                if (parts.size() != 3) throw badArgument(fn, "[Condition, ValueIfTrue, ValueIfFalse]");
                yield resolve(variable, condition(variable, text(fn, parts.get(0)), fn.at(), new HashSet<>()) ? parts.get(1) : parts.get(2));
            }
            case "Fn::Join" -> {
                var parts = list(fn, arg);
                if (parts.size() != 2) throw badArgument(fn, "[Delimiter, [Values]]");
                var items = new ArrayList<String>();
                for (var item : values(variable, parts.get(1), fn)) items.add(item);
                yield String.join(string(variable, parts.get(0), fn.at()), items);
            }
            case "Fn::Select" -> {
                var parts = list(fn, arg);
                if (parts.size() != 2) throw badArgument(fn, "[Index, [Values]]");
                var items = values(variable, parts.get(1), fn);
                int index;
                try {
                    index = Integer.parseInt(string(variable, parts.get(0), fn.at()).trim());
                } catch (NumberFormatException e) {
                    throw badArgument(fn, "a numeric index");
                }
                if (index < 0 || index >= items.size()) throw badArgument(fn, "an index below " + items.size());
                yield items.get(index);
            }
            case "Fn::Split" -> values(variable, fn, fn);
            case "Fn::Base64" -> Base64.getEncoder().encodeToString(string(variable, arg, fn.at()).getBytes(StandardCharsets.UTF_8));
            case "Fn::FindInMap" -> {
                var parts = list(fn, arg);
                if (parts.size() != 3) throw badArgument(fn, "[MapName, TopLevelKey, SecondLevelKey]");
                Object found = SamTemplate.mapping(template.mappings().get(string(variable, parts.get(0), fn.at())));
                for (int i = 1; i < 3; i++) found = SamTemplate.mapping(found).get(string(variable, parts.get(i), fn.at()));
                if (found == null) throw SamTemplate.invalid(fn.at(), "find-in-map", variable + ": Fn::FindInMap finds no such entry in Mappings", null);
                yield resolve(variable, found);
            }
            default -> throw new Unresolvable(fn.name() + " is not evaluated by cairn invoke (" + fn.at() + ")");
        };
    }

    private List<String> values(String variable, Object value, Intrinsic owner) {
        if (value instanceof Intrinsic split && split.name().equals("Fn::Split")) {
            var parts = list(split, split.argument());
            if (parts.size() != 2) throw badArgument(split, "[Delimiter, Source]");
            var delimiter = string(variable, parts.get(0), split.at());
            var source = string(variable, parts.get(1), split.at());
            return List.of(source.split(Pattern.quote(delimiter), -1));
        }
        if (value instanceof List<?> items) {
            var result = new ArrayList<String>();
            for (var item : items) {
                var resolved = resolve(variable, item);
                if (resolved == NO_VALUE) continue;
                result.add(resolved instanceof String s ? s : String.valueOf(resolved));
            }
            return result;
        }
        if (value instanceof Intrinsic other) throw new Unresolvable(other.name() + " as a list is not evaluated by cairn invoke (" + other.at() + ")");
        throw badArgument(owner, "a list");
    }

    private Object ref(String variable, String name, Location at) {
        var parameter = template.parameters().get(name);
        if (parameter != null) {
            if (parameterOverrides.containsKey(name)) return parameterOverrides.get(name);
            if (stack != null && stack.parameters().containsKey(name)) return stack.parameters().get(name);
            if (parameter.defaultValue() != null) return parameter.defaultValue();
            throw new Unresolvable("parameter " + name + " has no default; pass --parameter " + name + "=VALUE");
        }
        if (name.startsWith("AWS::")) return pseudo(name);
        var type = template.resourceTypes().get(name);
        if (type == null) {
            throw SamTemplate.invalid(at, "unknown-reference", variable + ": Ref to `" + name + "`, which is neither a parameter nor a resource of the template", null);
        }
        return deployed(variable, name, type, at).physicalId();
    }

    private Object pseudo(String name) {
        return switch (name) {
            case "AWS::NoValue" -> NO_VALUE;
            case "AWS::Region" -> {
                if (region == null) throw new Unresolvable("AWS::Region: no --stack and no AWS_REGION");
                yield region;
            }
            case "AWS::AccountId" -> {
                if (stack == null) throw new Unresolvable("AWS::AccountId needs --stack NAME");
                yield stack.accountId();
            }
            case "AWS::StackName" -> {
                if (stack == null) throw new Unresolvable("AWS::StackName needs --stack NAME");
                yield stack.name();
            }
            case "AWS::Partition" -> partition();
            case "AWS::URLSuffix" -> partition().equals("aws-cn") ? "amazonaws.com.cn" : "amazonaws.com";
            default -> throw new Unresolvable(name + " is not known to cairn invoke");
        };
    }

    private String partition() {
        if (stack != null) return stack.partition();
        if (region != null && region.startsWith("cn-")) return "aws-cn";
        if (region != null && region.startsWith("us-gov-")) return "aws-us-gov";
        return "aws";
    }

    private DeployedStack.Resource deployed(String variable, String logicalId, String templateType, Location at) {
        if (stack == null) throw new Unresolvable("resource " + logicalId + " (" + templateType + "): needs --stack NAME");
        var resource = stack.resources().get(logicalId);
        if (resource == null) {
            throw SamTemplate.invalid(at, "resource-not-in-stack",
                    variable + " refers to resource " + logicalId + " (" + templateType + "), which stack `" + stack.name() + "` does not have",
                    "an emulator skips some types (moto: " + EMULATOR_SKIPS + "); export " + variable
                            + "=VALUE to set it by hand, or deploy a stack that has the resource");
        }
        return resource;
    }

    private String getAtt(String variable, String logicalId, String attribute, Location at) {
        var templateType = template.resourceTypes().get(logicalId);
        if (templateType == null) {
            throw SamTemplate.invalid(at, "unknown-reference", variable + ": Fn::GetAtt of `" + logicalId + "`, which is not a resource of the template", null);
        }
        var resource = deployed(variable, logicalId, templateType, at);
        var id = resource.physicalId();
        var arnPrefix = "arn:" + stack.partition() + ":";
        var regional = stack.region() + ":" + stack.accountId() + ":";
        var derived = switch (resource.type() + "." + attribute) {
            case "AWS::DynamoDB::Table.Arn" -> arnPrefix + "dynamodb:" + regional + "table/" + id;
            case "AWS::S3::Bucket.Arn" -> arnPrefix + "s3:::" + id;
            case "AWS::S3::Bucket.DomainName" -> id + ".s3." + pseudo("AWS::URLSuffix");
            case "AWS::S3::Bucket.RegionalDomainName" -> id + ".s3." + stack.region() + "." + pseudo("AWS::URLSuffix");
            case "AWS::KMS::Key.Arn" -> arnPrefix + "kms:" + regional + "key/" + id;
            case "AWS::KMS::Key.KeyId" -> id;
            case "AWS::Lambda::Function.Arn" -> arnPrefix + "lambda:" + regional + "function:" + id;
            case "AWS::StepFunctions::StateMachine.Arn" -> id;
            case "AWS::StepFunctions::StateMachine.Name" -> id.substring(id.lastIndexOf(':') + 1);
            case "AWS::Logs::LogGroup.Arn" -> arnPrefix + "logs:" + regional + "log-group:" + id + ":*";
            case "AWS::IAM::Role.Arn" -> arnPrefix + "iam::" + stack.accountId() + ":role/" + id;
            case "AWS::SQS::Queue.Arn" -> arnPrefix + "sqs:" + regional + id.substring(id.lastIndexOf('/') + 1);
            case "AWS::SNS::Topic.TopicArn" -> id;
            default -> null;
        };
        if (derived == null) {
            throw new Unresolvable("Fn::GetAtt " + logicalId + "." + attribute + " (" + resource.type() + ") is not derived by cairn invoke; export " + variable + "=VALUE");
        }
        return derived;
    }

    private String sub(String variable, Intrinsic fn) {
        String text;
        Map<String, Object> names = Map.of();
        if (fn.argument() instanceof List<?> parts) {
            if (parts.size() != 2) throw badArgument(fn, "a string, or [String, {Name: Value}]");
            text = text(fn, parts.get(0));
            names = SamTemplate.mapping(parts.get(1));
        } else {
            text = text(fn, fn.argument());
        }
        var matcher = SUB_VARIABLE.matcher(text);
        var out = new StringBuilder();
        while (matcher.find()) {
            var name = matcher.group(1).trim();
            String replacement;
            if (name.startsWith("!")) {
                replacement = "${" + name.substring(1) + "}";
            } else if (names.containsKey(name)) {
                replacement = string(variable, names.get(name), fn.at());
            } else if (name.contains(".") && !name.startsWith("AWS::")) {
                int dot = name.indexOf('.');
                replacement = getAtt(variable, name.substring(0, dot), name.substring(dot + 1), fn.at());
            } else {
                var value = ref(variable, name, fn.at());
                replacement = value instanceof String s ? s : "";
            }
            matcher.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private boolean condition(String variable, String name, Location at, Set<String> seen) {
        var definition = template.conditions().get(name);
        if (definition == null) {
            throw SamTemplate.invalid(at, "unknown-condition", variable + ": condition `" + name + "` is not in the template's Conditions", null);
        }
        if (!seen.add(name)) throw SamTemplate.invalid(at, "condition-cycle", "condition `" + name + "` depends on itself", null);
        var result = evaluate(variable, definition, at, seen);
        seen.remove(name);
        return result;
    }

    private boolean evaluate(String variable, Object expression, Location at, Set<String> seen) {
        if (!(expression instanceof Intrinsic fn)) {
            throw SamTemplate.invalid(at, "condition-shape", variable + ": a condition is Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition", null);
        }
        var parts = fn.name().equals("Condition") ? List.of() : list(fn, fn.argument());
        return switch (fn.name()) {
            case "Condition" -> condition(variable, text(fn, fn.argument()), fn.at(), seen);
            case "Fn::Equals" -> {
                if (parts.size() != 2) throw badArgument(fn, "[Value1, Value2]");
                yield String.valueOf(resolve(variable, parts.get(0))).equals(String.valueOf(resolve(variable, parts.get(1))));
            }
            case "Fn::Not" -> {
                if (parts.size() != 1) throw badArgument(fn, "[Condition]");
                yield !evaluate(variable, parts.getFirst(), fn.at(), seen);
            }
            case "Fn::And" -> parts.stream().allMatch(p -> evaluate(variable, p, fn.at(), seen));
            case "Fn::Or" -> parts.stream().anyMatch(p -> evaluate(variable, p, fn.at(), seen));
            default -> throw SamTemplate.invalid(fn.at(), "condition-shape", variable + ": " + fn.name() + " is not a condition function", null);
        };
    }

    private static String text(Intrinsic fn, Object value) {
        if (value instanceof String s) return s;
        throw badArgument(fn, "a name");
    }

    private static List<?> list(Intrinsic fn, Object value) {
        if (value instanceof List<?> l) return l;
        throw badArgument(fn, "a list");
    }

    private static RuntimeException badArgument(Intrinsic fn, String expected) {
        return SamTemplate.invalid(fn.at(), "intrinsic-argument", fn.name() + " expects " + expected, null);
    }
}
