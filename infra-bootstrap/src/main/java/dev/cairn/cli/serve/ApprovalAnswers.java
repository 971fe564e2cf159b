package dev.cairn.cli.serve;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.cairn.reconciler.approval.local.LocalRunResumer;
import dev.cairn.statemachine.TaskTokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resumes the executions that wait for an approval: for each pending task token, the decision
 * {@link LocalRunResumer} wrote (a Slack click, {@code cairn approve}/{@code cairn reject}) answers
 * it, as {@code SendTaskSuccess} ({@code {"approved": true, "decidedBy": ...}}) or
 * {@code SendTaskFailure} with error {@code Rejected} (what the definition's Approve state catches).
 */
final class ApprovalAnswers {
    private static final Logger LOG = LoggerFactory.getLogger(ApprovalAnswers.class);
    private final TaskTokens tokens;
    private final LocalRunResumer answers;

    ApprovalAnswers(TaskTokens tokens, LocalRunResumer answers) {
        this.tokens = tokens;
        this.answers = answers;
    }

    synchronized int poll() {
        int answered = 0;
        for (var token : tokens.pending()) {
            LocalRunResumer.Answer answer;
            try {
                var found = answers.answer(token);
                if (found.isEmpty()) continue;
                answer = found.get();
            } catch (RuntimeException unreadable) {
                LOG.warn("cannot read the answer to a waiting approval: {}", unreadable.getMessage());
                continue;
            }
            try {
                if ("approved".equals(answer.outcome())) {
                    var output = JsonNodeFactory.instance.objectNode();
                    output.put("approved", true);
                    output.put("decidedBy", answer.decidedBy());
                    tokens.succeed(token, output);
                } else {
                    var reason = answer.reason() == null || answer.reason().isBlank() ? "" : ": " + answer.reason();
                    tokens.fail(token, "Rejected", "rejected by " + answer.decidedBy() + reason);
                }
                answered++;
                LOG.info("approval of {}/{}/{} answered: {} by {}", answer.infrastructure(), answer.runId(), answer.stage(), answer.outcome(),
                        answer.decidedBy());
            } catch (IllegalArgumentException gone) {
                // answered, timed out or cancelled meanwhile
            }
        }
        return answered;
    }
}
