package dev.cairn.reconciler.approval;

/**
 * Resumes a run that waits for an approval, once {@link ApprovalStore#decide} recorded the
 * decision: {@code SendTaskSuccess}/{@code SendTaskFailure} with the stored task token in AWS,
 * the local executor's token store under {@code cairn serve}.
 */
public interface RunResumer {

    void approved(ApprovalStore.Approval approval);

    void rejected(ApprovalStore.Approval approval);
}
