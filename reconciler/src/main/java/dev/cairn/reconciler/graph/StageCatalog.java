package dev.cairn.reconciler.graph;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.reconciler.diag.Diagnostic;
import dev.cairn.reconciler.diag.Suggestions;
import dev.cairn.reconciler.manifest.ApplicationSpec;
import dev.cairn.reconciler.manifest.Infrastructure;
import dev.cairn.reconciler.manifest.InfrastructureRepo;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.manifest.SourceMap;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.module.ModuleInterface;
import dev.cairn.reconciler.module.ModuleSource;
import dev.cairn.reconciler.template.TemplateEngine;
import dev.cairn.reconciler.template.TemplateException;
import dev.cairn.reconciler.template.TemplateScope;
import dev.cairn.reconciler.template.Unknown;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Turns a manifest into its stages: built-in stages and custom modules, their module sources,
 * the DAG (explicit {@code dependsOn}, the built-in order, and every {@code outputs.STAGE.x}
 * reference found in their templates), and renders a stage's inputs for Terraform.
 */
public final class StageCatalog {
    private final ModuleFetcher fetcher;
    private final TemplateEngine templates;

    public record Result(Stages stages, List<Diagnostic> diagnostics) {
    }

    public StageCatalog(ModuleFetcher fetcher, TemplateEngine templates) {
        this.fetcher = fetcher;
        this.templates = templates;
    }

    public Result build(InfrastructureRepo repo, Infrastructure infra) {
        var diagnostics = new ArrayList<Diagnostic>();
        var spec = infra.spec();
        var sm = infra.sourceMap();
        var definitions = new LinkedHashMap<String, StageDefinition>();
        var interfaces = new java.util.concurrent.ConcurrentHashMap<String, ModuleInterface>();
        var graph = new StageGraph();
        var cloud = spec.provider().cloud();

        for (var name : BuiltinStages.NAMES) {
            var section = spec.section(name);
            if (section == null || !section.isEnabled()) continue;
            var pointer = "/spec/" + name;
            var sourceText = section.source() != null ? section.source() : BuiltinStages.defaultSource(cloud, name);
            var source = parseSource(sourceText, section.version(), repo, sm, pointer, diagnostics);
            var deps = new LinkedHashSet<String>();
            definitions.put(name, new StageDefinition(name, true, source, deps,
                    settings(infra, name), new LinkedHashMap<>(), inputs(section.inputs()), pointer));
        }
        for (var entry : definitions.entrySet()) {
            var name = entry.getKey();
            var def = entry.getValue();
            if (!name.equals("backend") && definitions.containsKey("backend")) def.explicitDependencies().add("backend");
            for (var dep : BuiltinStages.ORDER.get(name)) {
                if (definitions.containsKey(dep)) def.explicitDependencies().add(dep);
            }
            BuiltinStages.wiring(name).forEach((variable, output) -> {
                var upstream = output.substring(0, output.indexOf('.'));
                if (definitions.containsKey(upstream)) def.wiring().put(variable, "{{ outputs." + output + " }}");
            });
            if (name.equals("addons")) def.wiring().put("argocd_applications", applications(repo, infra));
        }

        var modules = spec.modules();
        for (int i = 0; i < modules.size(); i++) {
            var module = modules.get(i);
            var pointer = "/spec/modules/" + i;
            if (!module.isEnabled()) continue;
            if (definitions.containsKey(module.name()) || BuiltinStages.NAMES.contains(module.name())) {
                diagnostics.add(new Diagnostic(sm.value(pointer + "/name"), "duplicate-stage",
                        "stage `" + module.name() + "` is defined twice"
                                + (BuiltinStages.NAMES.contains(module.name()) ? " (it is a built-in stage name)" : ""),
                        "give each module a unique name that is not one of " + String.join(", ", BuiltinStages.NAMES)));
                continue;
            }
            var source = parseSource(module.source(), module.version(), repo, sm, pointer, diagnostics);
            definitions.put(module.name(), new StageDefinition(module.name(), false, source,
                    new LinkedHashSet<>(module.dependsOn()), Map.of(), Map.of(), inputs(module.inputs()), pointer));
        }

        for (var def : definitions.values()) {
            graph.addStage(def.name());
            interfaces.put(def.name(), def.source() == null ? ModuleInterface.UNKNOWN : fetcher.inspect(def.source()));
            if (def.source() != null && !fetcher.exists(def.source())) {
                diagnostics.add(new Diagnostic(sm.value(def.pointer() + "/source"), "module-not-found",
                        "module source " + def.source().describe() + " does not exist",
                        "check the path; local sources are relative to the repo root (" + repo.root() + ")"));
            }
            if (ModuleFetcher.isPlainHttp(def.source()) && !fetcher.allowsHttp()) {
                diagnostics.add(new Diagnostic(sm.value(def.pointer() + "/source"), "insecure-module-source",
                        "module source " + def.source().describe() + " is fetched over plain http: anyone on the network path can change the code Cairn runs",
                        "use https:// (or ssh://); to allow plain http anyway, set " + ModuleFetcher.ALLOW_HTTP_ENV + "=true where Cairn runs"));
            }
        }
        // explicit dependencies
        for (int i = 0; i < modules.size(); i++) {
            var module = modules.get(i);
            if (!definitions.containsKey(module.name()) || definitions.get(module.name()).builtin()) continue;
            for (int j = 0; j < module.dependsOn().size(); j++) {
                var dep = module.dependsOn().get(j);
                if (!definitions.containsKey(dep)) {
                    var suggestion = Suggestions.closest(dep, definitions.keySet());
                    diagnostics.add(new Diagnostic(sm.value("/spec/modules/" + i + "/dependsOn/" + j), "unknown-dependency",
                            "module `" + module.name() + "` depends on `" + dep + "`, which is not an enabled stage of this infrastructure",
                            suggestion != null ? "did you mean `" + suggestion + "`?" : "stages here: " + String.join(", ", definitions.keySet())));
                }
            }
        }
        for (var def : definitions.values()) {
            for (var dep : def.explicitDependencies()) if (definitions.containsKey(dep)) graph.addDependency(def.name(), dep);
        }

        // references in templates: probe every stage with placeholder outputs
        var stateConfig = stateConfig(infra);
        var stages = new Stages(infra, definitions, graph, interfaces, stateConfig);
        var specValues = Json.toMap(infra.specNode()); // read-only in every scope: convert once, not per stage
        for (var def : definitions.values()) {
            var scope = probeScope(stages, specValues);
            var problems = new ArrayList<StageInputException>();
            renderInputs(stages, def.name(), scope, problems);
            for (var e : problems) {
                diagnostics.add(new Diagnostic(sm.value(e.pointer()), e.rule(), "stage `" + def.name() + "`: " + e.getMessage(), e.hint()));
            }
            addReferences(stages, def, scope, diagnostics);
            if (spec.state().isS3() && !def.name().equals("backend")) {
                var stateScope = probeScope(stages, specValues);
                try {
                    templates.render(stateConfig, stateScope);
                    for (var ref : stateScope.referencedStages()) if (definitions.containsKey(ref)) graph.addDependency(def.name(), ref);
                } catch (TemplateException e) {
                    diagnostics.add(new Diagnostic(sm.value("/spec/state/bucket"), e.rule(), e.getMessage(), e.hint()));
                    break;
                }
            }
        }
        graph.findCycle().ifPresent(cycle -> diagnostics.add(new Diagnostic(
                sm.value(definitions.get(cycle.get(0)).pointer()), "dependency-cycle",
                "stages depend on each other in a cycle: " + String.join(" → ", cycle),
                "break the cycle: remove a dependsOn entry or an outputs reference between these stages")));
        return new Result(stages, diagnostics);
    }

    private void addReferences(Stages stages, StageDefinition def, TemplateScope scope, List<Diagnostic> diagnostics) {
        for (var ref : scope.referencedStages()) {
            if (!stages.definitions().containsKey(ref)) continue;
            if (ref.equals(def.name())) {
                diagnostics.add(new Diagnostic(stages.infrastructure().sourceMap().value(def.pointer()), "self-reference",
                        "stage `" + def.name() + "` uses its own outputs in its inputs",
                        "a stage can only use outputs of the stages it runs after"));
                continue;
            }
            stages.graph().addDependency(def.name(), ref);
        }
    }

    /** A scope for checking: every stage's declared outputs exist and are {@link Unknown}. */
    public TemplateScope probeScope(Stages stages) {
        return probeScope(stages, Json.toMap(stages.infrastructure().specNode()));
    }

    private TemplateScope probeScope(Stages stages, Map<String, Object> specValues) {
        var outputs = new LinkedHashMap<String, Map<String, Object>>();
        var open = new ArrayList<String>();
        stages.interfaces().forEach((stage, iface) -> {
            if (!iface.known()) {
                open.add(stage);
                return;
            }
            var values = new LinkedHashMap<String, Object>();
            iface.outputs().forEach(o -> values.put(o, Unknown.VALUE));
            outputs.put(stage, values);
        });
        var infra = stages.infrastructure();
        var scope = new TemplateScope(infra.infraValues(), specValues, infra.variables(), outputs);
        open.forEach(scope::openStage);
        return scope;
    }

    public static TemplateScope scope(Infrastructure infra, Map<String, Map<String, Object>> outputs) {
        return new TemplateScope(infra.infraValues(), Json.toMap(infra.specNode()), infra.variables(), outputs);
    }

    /**
     * The Terraform variables for {@code stage}: settings, {@code name}/{@code tags}, wiring and
     * the user's inputs, rendered in {@code scope}. For a module Cairn can read, only variables it
     * declares are passed (the user's own inputs must exist there).
     */
    public Map<String, Object> renderInputs(Stages stages, String stage, TemplateScope scope) {
        return renderInputs(stages, stage, scope, null);
    }

    /**
     * As {@link #renderInputs(Stages, String, TemplateScope)}; with {@code problems} every input
     * that cannot be rendered is collected there (and left out) instead of stopping at the first.
     */
    public Map<String, Object> renderInputs(Stages stages, String stage, TemplateScope scope, List<StageInputException> problems) {
        var def = stages.get(stage);
        var iface = stages.interfaces().getOrDefault(stage, ModuleInterface.UNKNOWN);
        var infra = stages.infrastructure();
        var vars = new LinkedHashMap<String, Object>();
        boolean registry = def.source() instanceof ModuleSource.Registry;
        if (!registry) {
            if (def.builtin() || iface.known()) {
                putIfDeclared(vars, iface, def.builtin(), "name", infra.name());
                putIfDeclared(vars, iface, def.builtin(), "tags", tags(infra));
            }
            def.settings().forEach((k, v) -> {
                if (iface.declaresVariable(k)) collect(problems, () -> vars.put(k, render(k, v, scope, settingPointer(infra, def, k))));
            });
            def.wiring().forEach((k, v) -> {
                if (iface.declaresVariable(k)) collect(problems, () -> vars.put(k, render(k, v, scope, def.pointer())));
            });
        }
        def.inputs().forEach((k, v) -> collect(problems, () -> {
            var pointer = def.pointer() + "/inputs/" + k;
            if (iface.known() && !iface.variables().contains(k)) {
                var suggestion = Suggestions.closest(k, iface.variables());
                throw new StageInputException("unknown-input", "module " + def.source().describe() + " has no variable `" + k + "`",
                        suggestion != null ? "did you mean `" + suggestion + "`?" : "declared variables: " + String.join(", ", iface.variables()), pointer);
            }
            vars.put(k, render(k, v, scope, pointer));
        }));
        return vars;
    }

    private static void collect(List<StageInputException> problems, Runnable step) {
        if (problems == null) {
            step.run();
            return;
        }
        try {
            step.run();
        } catch (StageInputException e) {
            problems.add(e);
        }
    }

    /** Renders one variable's value; one that reads a sensitive output is recorded in {@link TemplateScope#sensitiveInputs}. */
    private Object render(String variable, Object value, TemplateScope scope, String pointer) {
        try {
            scope.beginValue();
            var rendered = templates.render(value, scope);
            if (scope.readSensitive()) scope.markSensitiveInput(variable);
            return rendered;
        } catch (TemplateException e) {
            throw new StageInputException(e.rule(), e.getMessage(), e.hint(), pointer);
        }
    }

    /** Pointer of the manifest key a (snake_case) setting came from, so errors point at that key. */
    private static String settingPointer(Infrastructure infra, StageDefinition def, String setting) {
        var names = infra.specNode().path(def.name()).fieldNames();
        while (names.hasNext()) {
            var name = names.next();
            if (snake(name).equals(setting)) return SourceMap.child(def.pointer(), name);
        }
        return def.pointer();
    }

    private static void putIfDeclared(Map<String, Object> vars, ModuleInterface iface, boolean builtin, String name, Object value) {
        if (iface.known() ? iface.variables().contains(name) : builtin) vars.put(name, value);
    }

    static Map<String, String> tags(Infrastructure infra) {
        var tags = new LinkedHashMap<>(infra.spec().tags());
        tags.put("cairn:infrastructure", infra.name());
        return tags;
    }

    /** The state settings ({@code spec.state}), templates unrendered. */
    private static Map<String, Object> stateConfig(Infrastructure infra) {
        var state = infra.spec().state();
        var out = new LinkedHashMap<String, Object>();
        out.put("type", state.type() == null ? "local" : state.type());
        if (state.bucket() != null) out.put("bucket", state.bucket());
        out.put("region", state.region() != null ? state.region() : infra.spec().provider().region());
        out.put("keyPrefix", state.keyPrefix() != null ? state.keyPrefix() : infra.name());
        return out;
    }

    private Map<String, Object> settings(Infrastructure infra, String stage) {
        var node = infra.specNode().path(stage);
        var out = new LinkedHashMap<String, Object>();
        node.fields().forEachRemaining(e -> {
            if (!BuiltinStages.CAIRN_KEYS.contains(e.getKey())) out.put(snake(e.getKey()), snakeKeys(Json.MAPPER.convertValue(e.getValue(), Object.class)));
        });
        return out;
    }

    private static Map<String, Object> inputs(Map<String, Object> inputs) {
        return inputs == null ? Map.of() : new LinkedHashMap<>(inputs);
    }

    /** Argo CD Application objects for this infrastructure: its own and the shared ones that apply. */
    private static List<Object> applications(InfrastructureRepo repo, Infrastructure infra) {
        var apps = new ArrayList<Object>();
        var raw = infra.specNode().path("applications");
        for (var app : raw) apps.add(argoApplication(app, infra.name()));
        for (var shared : repo.sharedApplications()) {
            if (shared.spec().appliesTo(infra.name())) apps.add(argoApplication(shared.raw(), infra.name()));
        }
        return apps;
    }

    static Map<String, Object> argoApplication(JsonNode app, String infra) {
        var spec = Json.MAPPER.convertValue(app, ApplicationSpec.class);
        var out = new LinkedHashMap<String, Object>();
        out.put("apiVersion", "argoproj.io/v1alpha1");
        out.put("kind", "Application");
        out.put("metadata", Map.of("name", spec.name(), "namespace", "argocd",
                "labels", Map.of("app.kubernetes.io/managed-by", "cairn", "cairn.dev/infrastructure", infra)));
        var body = new LinkedHashMap<String, Object>();
        body.put("project", spec.project() == null ? "default" : spec.project());
        body.put("destination", Map.of("server", "https://kubernetes.default.svc",
                "namespace", spec.namespace() == null ? spec.name() : spec.namespace()));
        var source = new LinkedHashMap<>(Json.toMap(app.path("source")));
        source.putIfAbsent("targetRevision", "HEAD");
        if (source.get("helm") instanceof Map<?, ?> helm && helm.get("values") instanceof Map<?, ?> values) {
            // the CRD's helm.values is one YAML string; values as an object go in valuesObject
            var rendered = new LinkedHashMap<String, Object>();
            helm.forEach((k, v) -> rendered.put(String.valueOf(k), v));
            rendered.remove("values");
            rendered.put("valuesObject", values);
            source.put("helm", rendered);
        }
        body.put("source", source);
        var sync = spec.syncPolicy();
        var policy = new LinkedHashMap<String, Object>();
        if (sync == null || !Boolean.FALSE.equals(sync.automated())) {
            policy.put("automated", Map.of("prune", sync == null || !Boolean.FALSE.equals(sync.prune()),
                    "selfHeal", sync == null || !Boolean.FALSE.equals(sync.selfHeal())));
        }
        if (sync == null || !Boolean.FALSE.equals(sync.createNamespace())) policy.put("syncOptions", List.of("CreateNamespace=true"));
        body.put("syncPolicy", policy);
        out.put("spec", body);
        return out;
    }

    static String snake(String camel) {
        var out = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                boolean prevLower = i > 0 && (Character.isLowerCase(camel.charAt(i - 1)) || Character.isDigit(camel.charAt(i - 1)));
                boolean nextLower = i + 1 < camel.length() && Character.isLowerCase(camel.charAt(i + 1));
                if (i > 0 && (prevLower || (nextLower && Character.isUpperCase(camel.charAt(i - 1))))) out.append('_');
                out.append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static Object snakeKeys(Object value) {
        if (value instanceof Map<?, ?> map) {
            var out = new LinkedHashMap<String, Object>();
            ((Map<String, Object>) map).forEach((k, v) -> out.put(snake(k), snakeKeys(v)));
            return out;
        }
        if (value instanceof List<?> list) return list.stream().map(StageCatalog::snakeKeys).toList();
        return value;
    }

    private static ModuleSource parseSource(String text, String version, InfrastructureRepo repo, SourceMap sm,
                                            String pointer, List<Diagnostic> diagnostics) {
        try {
            return ModuleSource.parse(text, version, repo.root(), repo.modulesDir());
        } catch (IllegalArgumentException e) {
            diagnostics.add(new Diagnostic(sm.value(pointer + "/source"), "module-source", e.getMessage(),
                    "use ./path, a module name in `" + repo.config().modules() + "/`, git::URL//dir?ref=REF, cairn://aws/STAGE or NAMESPACE/NAME/PROVIDER with version"));
            return null;
        }
    }

    /** A stage input that cannot be rendered; {@code pointer} says where it is in the manifest. */
    public static final class StageInputException extends RuntimeException {
        private final String rule;
        private final String hint;
        private final String pointer;

        StageInputException(String rule, String message, String hint, String pointer) {
            super(message);
            this.rule = rule;
            this.hint = hint;
            this.pointer = pointer;
        }

        public String rule() {
            return rule;
        }

        public String hint() {
            return hint;
        }

        public String pointer() {
            return pointer;
        }
    }
}
