package dev.cairn.reconciler.bundle;

import dev.cairn.reconciler.graph.StageCatalog;
import dev.cairn.reconciler.graph.Stages;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.module.ModuleInterface;
import dev.cairn.reconciler.module.ModuleSource;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.store.local.AtomicFiles;
import dev.cairn.reconciler.template.TemplateEngine;
import dev.cairn.reconciler.template.TemplateScope;
import dev.cairn.reconciler.terraform.StageRunner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Renders one stage of an infrastructure (the manifest at a commit, already loaded into
 * {@link Stages}) and the upstream stages' outputs into a self-contained work dir: the module
 * files, {@code cairn.auto.tfvars.json}, the generated backend ({@code cairn_backend.tf.json}) and,
 * for modules that use AWS, provider ({@code cairn_provider.tf.json}), and the sensitive-variables
 * override when an input comes from a sensitive output. Local mode renders into
 * {@code .cairn/work/INFRA/STAGE} (so that an unchanged init is reused); the state machine's Render
 * step renders into a temporary dir and stores {@link #bundle} in the blob store.
 */
public final class StageRenderer {
    public static final String TFVARS = "cairn.auto.tfvars.json";
    public static final String BACKEND = "cairn_backend.tf.json";
    public static final String PROVIDER = "cairn_provider.tf.json";

    /** The local state file of a bundle rendered with {@link LocalState#IN_WORK_DIR}. */
    public static final String WORK_DIR_STATE = "terraform.tfstate";

    /** Where a stage with a local backend keeps its state (the backend stage always does). */
    @FunctionalInterface
    public interface LocalState {
        /**
         * For bundles run elsewhere (CodeBuild): the state is a file of the work dir, relative
         * ({@value #WORK_DIR_STATE}); {@code cairn stage} fetches it from the blob store
         * ({@link BundleKeys#state}) before the step and puts it back after.
         */
        LocalState IN_WORK_DIR = (infrastructure, stage) -> WORK_DIR_STATE;

        /** An absolute path (local mode), or a path relative to the work dir (see {@link #IN_WORK_DIR}). */
        String path(String infrastructure, String stage);
    }

    /**
     * The upstream values a stage is rendered from.
     *
     * @param values   outputs by stage (stored ones, overlaid in a local run with planned ones)
     * @param deferred stages whose outputs are not known yet even if some are listed (a deferred
     *                 plan): a reference to them is "known after apply"
     */
    public record Upstream(Map<String, Map<String, StageOutputs.Output>> values, Set<String> deferred) {
        public Upstream {
            values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
            deferred = Set.copyOf(deferred);
        }

        /** The stored outputs of every stage ({@code OutputStore.all}): what the Render step uses. */
        public static Upstream of(Map<String, StageOutputs> stored) {
            return merge(stored, Map.of(), Set.of());
        }

        /**
         * Stored outputs overlaid with a run's current ones: a stage with current outputs has
         * exactly those; a value is sensitive when either the stored or the current one says so.
         */
        public static Upstream merge(Map<String, StageOutputs> stored, Map<String, Map<String, StageOutputs.Output>> current,
                                     Set<String> deferred) {
            var values = new LinkedHashMap<String, Map<String, StageOutputs.Output>>();
            stored.forEach((stage, o) -> values.put(stage, new LinkedHashMap<>(o.values())));
            current.forEach((stage, o) -> {
                var before = values.getOrDefault(stage, Map.of());
                var merged = new LinkedHashMap<String, StageOutputs.Output>();
                o.forEach((k, v) -> {
                    var old = before.get(k);
                    merged.put(k, new StageOutputs.Output(v.value(), v.sensitive() || (old != null && old.sensitive())));
                });
                values.put(stage, merged);
            });
            return new Upstream(values, deferred);
        }
    }

    /**
     * A rendered work dir.
     *
     * @param inputs          the rendered Terraform variables (may hold secrets)
     * @param sensitiveInputs the variables rendered from sensitive outputs
     * @param inputsSha256    the SHA-256 of {@code cairn.auto.tfvars.json}
     * @param referencedOutputs the upstream outputs the stage's inputs and backend read, as {@code stage.output}
     */
    public record Rendered(String stage, Path dir, Map<String, Object> inputs, SortedSet<String> sensitiveInputs,
                           String inputsSha256, Set<String> referencedOutputs) {
    }

    /** A rendered bundle and the upstream outputs ({@code stage.output}) it was rendered from. */
    public record RenderedBundle(StageBundle bundle, Set<String> referencedOutputs) {
    }

    private final StageCatalog catalog;
    private final ModuleFetcher fetcher;
    private final TemplateEngine templates;
    private final LocalState localState;

    public StageRenderer(StageCatalog catalog, ModuleFetcher fetcher, TemplateEngine templates, LocalState localState) {
        this.catalog = catalog;
        this.fetcher = fetcher;
        this.templates = templates;
        this.localState = localState;
    }

    /**
     * The template scope over {@code upstream}: every stage of the graph without values (or
     * deferred) is open, so a reference to it is "known after apply" rather than an error.
     */
    public TemplateScope scope(Stages stages, Upstream upstream) {
        var values = new LinkedHashMap<String, Map<String, Object>>();
        upstream.values().forEach((stage, o) -> {
            var plain = new LinkedHashMap<String, Object>();
            o.forEach((k, v) -> plain.put(k, v.value()));
            values.put(stage, plain);
        });
        values.keySet().retainAll(stages.definitions().keySet());
        var scope = StageCatalog.scope(stages.infrastructure(), values);
        upstream.values().forEach((stage, o) -> o.forEach((k, v) -> {
            if (v.sensitive()) scope.markSensitive(stage, k);
        }));
        for (var stage : stages.definitions().keySet()) {
            if (upstream.deferred().contains(stage) || !values.containsKey(stage)) scope.openStage(stage);
        }
        return scope;
    }

    /**
     * Renders {@code stage} into {@code dir}: module files, tfvars, backend and provider, override.
     * Empty when an input or the backend needs an upstream value that is known only after apply.
     */
    public Optional<Rendered> render(Stages stages, String stage, Upstream upstream, Path dir) {
        var def = stages.get(stage);
        var infra = stages.infrastructure();
        boolean registry = def.source() instanceof ModuleSource.Registry;
        var iface = ModuleInterface.UNKNOWN;
        if (!registry) {
            fetcher.materialize(def.source(), dir, Map.of());
            iface = ModuleInterface.scan(dir);
            stages.interfaces().put(stage, iface);
        }
        var scope = scope(stages, upstream);
        var vars = catalog.renderInputs(stages, stage, scope);
        var backend = backendConfig(stages, stage, scope);
        if (scope.sawUnknown()) return Optional.empty();
        if (registry) fetcher.materialize(def.source(), dir, vars);
        // an input rendered from a sensitive output is a secret: declared sensitive to terraform, redacted by Cairn
        var sensitive = new TreeSet<>(scope.sensitiveInputs());
        try {
            var tfvars = Json.MAPPER.writeValueAsBytes(vars);
            AtomicFiles.write(dir.resolve(TFVARS), tfvars);
            StageRunner.declareSensitive(dir, sensitive);
            writeGenerated(stages, dir, backend, registry || iface.needsAws());
            return Optional.of(new Rendered(stage, dir, vars, Collections.unmodifiableSortedSet(sensitive), StageBundle.sha256(tfvars),
                    Set.copyOf(scope.referencedOutputs())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Puts the module and its generated backend and provider in {@code dir} ahead of the stage's
     * turn, so that {@code terraform init} can run early. False when that cannot be known yet: a
     * registry module (its wrapper needs the inputs) or a backend that waits on an upstream output.
     */
    public boolean renderForInit(Stages stages, String stage, Upstream upstream, Path dir) {
        var def = stages.get(stage);
        if (def.source() instanceof ModuleSource.Registry) return false;
        fetcher.materialize(def.source(), dir, Map.of());
        var scope = scope(stages, upstream);
        var backend = backendConfig(stages, stage, scope);
        if (scope.sawUnknown()) return false;
        try {
            writeGenerated(stages, dir, backend, ModuleInterface.scan(dir).needsAws());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return true;
    }

    /**
     * Renders {@code stage} into a temporary dir and returns its bundle (the dir is removed): what
     * the state machine's Render step stores at {@link BundleKeys#bundle}. Empty when an input is
     * known only after an upstream apply.
     *
     * @param action {@code PLAN}, {@code APPLY} or {@code DESTROY}
     */
    public Optional<StageBundle> renderBundle(Stages stages, String stage, Upstream upstream, String runId, String action,
                                              String revision) {
        return renderBundleWithReferences(stages, stage, upstream, runId, action, revision).map(RenderedBundle::bundle);
    }

    /** As {@link #renderBundle}, with the upstream outputs the stage reads (a preview marks a stage inexact by them). */
    public Optional<RenderedBundle> renderBundleWithReferences(Stages stages, String stage, Upstream upstream, String runId, String action,
                                                               String revision) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("cairn-render-");
            var rendered = render(stages, stage, upstream, dir);
            return rendered.map(r -> new RenderedBundle(bundle(r, stages, runId, action, revision), r.referencedOutputs()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (dir != null) {
                try {
                    ModuleFetcher.deleteTree(dir);
                } catch (IOException ignored) {
                    // a temporary dir; the OS cleans it
                }
            }
        }
    }

    /** The bundle of a rendered dir, with its manifest, for the blob store. */
    public static StageBundle bundle(Rendered rendered, Stages stages, String runId, String action, String revision) {
        var manifest = new BundleManifest(BundleManifest.FORMAT, stages.infrastructure().name(), runId, rendered.stage(), action,
                revision, rendered.inputsSha256(), List.copyOf(rendered.sensitiveInputs()));
        return StageBundle.fromDirectory(rendered.dir(), manifest);
    }

    /** The generated backend and, for modules that use AWS, provider config. */
    private void writeGenerated(Stages stages, Path dir, Map<String, Object> backend, boolean usesAws) throws IOException {
        var infra = stages.infrastructure();
        AtomicFiles.write(dir.resolve(BACKEND), Json.MAPPER.writeValueAsString(backend).getBytes(StandardCharsets.UTF_8));
        var providerFile = dir.resolve(PROVIDER);
        if (infra.spec().provider().isAws() && usesAws) {
            AtomicFiles.write(providerFile, Json.MAPPER.writeValueAsString(ProviderConfig.aws(infra)).getBytes(StandardCharsets.UTF_8));
        } else {
            Files.deleteIfExists(providerFile);
        }
    }

    private Map<String, Object> backendConfig(Stages stages, String stage, TemplateScope scope) {
        var infra = stages.infrastructure();
        var state = stages.stateConfig();
        if (!"s3".equals(state.get("type")) || stage.equals("backend")) {
            return Map.of("terraform", Map.of("backend", Map.of("local", Map.of(
                    "path", localState.path(infra.name(), stage)))));
        }
        @SuppressWarnings("unchecked")
        var rendered = (Map<String, Object>) templates.render(state, scope);
        return ProviderConfig.s3Backend(infra, rendered, stage);
    }
}
