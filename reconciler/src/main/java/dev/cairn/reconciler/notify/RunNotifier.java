package dev.cairn.reconciler.notify;

import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.store.StageOutputs;

import java.util.Map;

/**
 * Tells people what a run does: Slack threads in the serverless flow, nothing (or the terminal)
 * locally. Implementations never throw into the run: a failed notification is logged, the run
 * goes on. Values marked sensitive are never shown.
 */
public interface RunNotifier {

    void runStarted(Run run);

    /** A stage moved (planning, planned with its summary, applying, applied, failed, skipped). */
    void stageChanged(Run run, StageResult stage);

    /** A stage's plan waits for approval (Approve / Reject). */
    void approvalRequested(Run run, ApprovalStore.Approval approval);

    /** The run ended; {@code outputs} are the stages' latest outputs (sensitive ones are masked by the notifier). */
    void runFinished(Run run, Map<String, StageOutputs> outputs);

    /** A scheduled plan-only check found changes that git did not make. */
    void driftFound(Run run);

    RunNotifier NONE = new RunNotifier() {
        @Override
        public void runStarted(Run run) {
        }

        @Override
        public void stageChanged(Run run, StageResult stage) {
        }

        @Override
        public void approvalRequested(Run run, ApprovalStore.Approval approval) {
        }

        @Override
        public void runFinished(Run run, Map<String, StageOutputs> outputs) {
        }

        @Override
        public void driftFound(Run run) {
        }
    };
}
