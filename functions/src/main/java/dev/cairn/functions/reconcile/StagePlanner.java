package dev.cairn.functions.reconcile;

import dev.cairn.reconciler.graph.StageGraph;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.store.StageOutputs;

import java.util.Map;
import java.util.Optional;

/**
 * What Prepare (and Render) need from the repository at the run's commit: the stage DAG, how many stages may
 * run at once, and per stage whether its changes wait for an approval and which account role its
 * build assumes. In AWS it reads the repo snapshot; tests give it a manifest folder.
 */
public interface StagePlanner {

    /** @param roleArn the target account role the build assumes, empty for the build's own role */
    record StagePolicy(boolean approval, String roleArn) {
    }

    record Planned(StageGraph graph, int parallelism, Map<String, StagePolicy> stages) {
        public StagePolicy policy(String stage) {
            return stages.getOrDefault(stage, new StagePolicy(false, ""));
        }
    }

    /** @param ref the ref the commit was pushed to (where to fetch it from) */
    record Request(String infrastructure, RunAction action, String commit, String ref) {
    }

    Planned plan(Request request) throws Exception;

    /**
     * The stage's bundle archive (Render), from the repository as Prepare saw it and the stored
     * upstream outputs; empty when an input is known only after an upstream apply.
     */
    default Optional<byte[]> bundle(Run run, String stage, Map<String, StageOutputs> upstream) throws Exception {
        throw new UnsupportedOperationException("this planner does not render bundles");
    }
}
