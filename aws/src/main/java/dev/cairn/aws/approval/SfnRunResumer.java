package dev.cairn.aws.approval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.approval.RunResumer;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.util.LinkedHashMap;

/**
 * Answers the Approve step's {@code .waitForTaskToken} task: {@code SendTaskSuccess} with
 * {@code {"approved":true,"stage":..,"decidedBy":..,"planSha256":..}} when approved,
 * {@code SendTaskFailure} with error {@value #REJECTED} (cause: who rejected it and why) when
 * rejected. The token is a credential: it is never part of a message or an exception.
 */
public final class SfnRunResumer implements RunResumer {
    /** The error a rejected approval fails the waiting task with (the state machine catches it). */
    public static final String REJECTED = "Rejected";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SfnClient sfn;

    public SfnRunResumer(SfnClient sfn) {
        this.sfn = sfn;
    }

    @Override
    public void approved(ApprovalStore.Approval approval) {
        var output = new LinkedHashMap<String, Object>();
        output.put("approved", true);
        output.put("stage", approval.stage());
        output.put("decidedBy", approval.decidedBy());
        output.put("planSha256", approval.planSha256());
        String json;
        try {
            json = JSON.writeValueAsString(output);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        sfn.sendTaskSuccess(b -> b.taskToken(token(approval)).output(json));
    }

    @Override
    public void rejected(ApprovalStore.Approval approval) {
        var cause = "stage " + approval.stage() + " rejected by " + approval.decidedBy()
                + (approval.reason() == null || approval.reason().isBlank() ? "" : ": " + approval.reason());
        sfn.sendTaskFailure(b -> b.taskToken(token(approval)).error(REJECTED).cause(cause.length() > 256 ? cause.substring(0, 256) : cause));
    }

    private static String token(ApprovalStore.Approval approval) {
        if (approval.taskToken() == null || approval.taskToken().isBlank()) {
            throw new IllegalArgumentException("approval " + approval.id() + " of " + approval.infrastructure() + " carries no task token");
        }
        return approval.taskToken();
    }
}
