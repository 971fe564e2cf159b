package dev.cairn.functions.reconcile;

import dev.cairn.reconciler.diag.Suggestions;
import dev.cairn.reconciler.graph.StageGraph;
import dev.cairn.reconciler.manifest.Spec;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.store.StageOutputs;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What Prepare (and Render) need from the repository at the run's commit: the stage DAG, how many stages may
 * run at once, and per stage whether its changes wait for an approval and which account role its
 * build assumes. In AWS it reads the repo snapshot; tests give it a manifest folder.
 */
public interface StagePlanner {

    /**
     * @param roleArn        the target account role the build assumes, empty for the build's own role
     * @param previewRoleArn the role a preview's build assumes instead ({@code spec.provider.previewRoleArn}), empty for none:
     *                       a preview never assumes {@code roleArn}
     */
    record StagePolicy(boolean approval, String roleArn, String previewRoleArn) {
        public StagePolicy {
            roleArn = roleArn == null ? "" : roleArn;
            previewRoleArn = previewRoleArn == null ? "" : previewRoleArn;
        }

        public StagePolicy(boolean approval, String roleArn) {
            this(approval, roleArn, "");
        }

        /** The role the stage's build assumes: {@code previewRoleArn} in a preview (the build refuses a stage that sets only {@code roleArn}). */
        public String roleFor(boolean preview) {
            return preview ? previewRoleArn : roleArn;
        }
    }

    /** @param notifications the manifest's {@code spec.notifications} (where the run's thread goes), or null */
    record Planned(StageGraph graph, int parallelism, Map<String, StagePolicy> stages, Spec.NotificationsSpec notifications) {
        public Planned(StageGraph graph, int parallelism, Map<String, StagePolicy> stages) {
            this(graph, parallelism, stages, null);
        }

        public StagePolicy policy(String stage) {
            return stages.getOrDefault(stage, new StagePolicy(false, ""));
        }

        /**
         * The run limited to {@code only} ({@code --stage}): those stages and the dependencies among
         * them; a stage's upstream stages outside the set are not run, their outputs come from the
         * output store at Render (an upstream never applied: Render says to apply it first).
         *
         * @throws IllegalArgumentException naming a stage the infrastructure does not have, with a did-you-mean
         */
        public Planned limitedTo(Collection<String> only) {
            if (only == null || only.isEmpty()) return this;
            for (var stage : only) {
                if (!graph.stages().contains(stage)) {
                    var close = Suggestions.closest(stage, graph.stages());
                    throw new IllegalArgumentException("no stage `" + stage + "` in this infrastructure"
                            + (close == null ? "" : "; did you mean `" + close + "`?") + " (stages: " + String.join(", ", graph.stages()) + ")");
                }
            }
            var limited = new StageGraph();
            for (var stage : graph.stages()) if (only.contains(stage)) limited.addStage(stage);
            for (var stage : limited.stages()) {
                for (var upstream : graph.dependenciesOf(stage)) if (only.contains(upstream)) limited.addDependency(stage, upstream);
            }
            var policies = new LinkedHashMap<String, StagePolicy>();
            for (var stage : limited.stages()) policies.put(stage, policy(stage));
            return new Planned(limited, parallelism, policies, notifications);
        }
    }

    /**
     * @param ref  the ref the commit was pushed to (where to fetch it from)
     * @param onto a preview's base branch tip to plan the commit merged into ({@link dev.cairn.reconciler.preview.Previews#onto}), or null
     */
    record Request(String infrastructure, RunAction action, String commit, String ref, dev.cairn.reconciler.preview.Previews.Onto onto) {
        public Request(String infrastructure, RunAction action, String commit, String ref) {
            this(infrastructure, action, commit, ref, null);
        }
    }

    Planned plan(Request request) throws Exception;

    /**
     * The stage's bundle archive (Render), from the repository as Prepare saw it and the stored
     * upstream outputs; empty when an input is known only after an upstream apply.
     */
    default Optional<byte[]> bundle(Run run, String stage, Map<String, StageOutputs> upstream) throws Exception {
        throw new UnsupportedOperationException("this planner does not render bundles");
    }

    /**
     * A rendered bundle archive and the upstream outputs its stage reads, as {@code stage.output}
     * (TemplateScope.referencedOutputs): a preview marks the stage inexact when an upstream plan changes one.
     */
    record Bundle(byte[] zip, java.util.Set<String> referencedOutputs) {
    }

    /** As {@link #bundle}, with the outputs read; by default none are known. */
    default Optional<Bundle> render(Run run, String stage, Map<String, StageOutputs> upstream) throws Exception {
        return bundle(run, stage, upstream).map(zip -> new Bundle(zip, java.util.Set.of()));
    }
}
