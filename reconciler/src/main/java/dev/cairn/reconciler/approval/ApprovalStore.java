package dev.cairn.reconciler.approval;

import dev.cairn.reconciler.terraform.PlanSummary;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Stage plans waiting for a person's approval. The run's Approve step writes one when a stage's
 * plan has changes and the infrastructure's policy asks for approval; the chat app (or
 * {@code cairn approve}) decides it exactly once. In AWS the task token of the waiting Step
 * Functions task travels with it; it is a credential and is never shown.
 */
public interface ApprovalStore {

    enum State { PENDING, APPROVED, REJECTED, EXPIRED }

    /**
     * @param planSha256  the SHA-256 of the saved plan the approver is shown; the apply checks it
     * @param requestedBy who started the run ({@code slack:U123}, {@code github:push ...}): under a
     *                    four-eyes policy they cannot approve it
     * @param taskToken   what resumes the run (a Step Functions task token, a local token id)
     * @param decidedBy   who approved or rejected it, once decided
     */
    record Approval(String infrastructure, String runId, String stage, State state, PlanSummary plan, String planSha256,
                    String requestedBy, String taskToken, Instant requestedAt, Instant expiresAt, String decidedBy,
                    Instant decidedAt, String reason) {

        public String id() {
            return runId + "/" + stage;
        }
    }

    /** Stores a new pending approval (create-if-absent: a retried Approve step does not duplicate it). */
    void request(Approval approval);

    Optional<Approval> get(String infrastructure, String runId, String stage);

    /** Pending approvals of an infrastructure, oldest first. */
    List<Approval> pending(String infrastructure);

    /**
     * Decides a pending approval, conditionally: it must still be PENDING and not expired.
     *
     * @return the decided approval, or empty when someone else decided it first or it expired
     */
    Optional<Approval> decide(String infrastructure, String runId, String stage, State decision, String decidedBy,
                              String reason, Instant now);
}
