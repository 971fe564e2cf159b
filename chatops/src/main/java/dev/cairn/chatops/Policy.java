package dev.cairn.chatops;

import dev.cairn.chatops.InfraCommand.Verb;
import dev.cairn.reconciler.manifest.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Who may do what to one infrastructure, from its {@code spec.policy}. Entries are Slack user ids
 * ({@code U...}, {@code W...}) or user groups ({@code S...}; a person's groups are passed in).
 * <ul>
 *   <li>read-only verbs (status, history, outputs, help): anyone in the workspace;</li>
 *   <li>plan, apply, unlock: {@code operators} and {@code approvers} when either lists
 *       anyone, else anyone;</li>
 *   <li>cancel: the run's requester, and whoever may apply;</li>
 *   <li>destroy: as apply, and never with {@code destroy: forbidden};</li>
 *   <li>approve, reject: {@code approvers} only, and under {@code apply: approval} never the
 *       person who requested the run (four eyes).</li>
 * </ul>
 */
public record Policy(Spec.PolicySpec spec) {

    public record Decision(boolean allowed, String reason) {
        static Decision allow(String reason) {
            return new Decision(true, reason);
        }

        static Decision refuse(String reason) {
            return new Decision(false, reason);
        }
    }

    private List<String> approvers() {
        return spec == null || spec.approvers() == null ? List.of() : spec.approvers();
    }

    private List<String> operators() {
        return spec == null || spec.operators() == null ? List.of() : spec.operators();
    }

    /** Whether the policy lists any Slack user group (then the caller's groups are looked up). */
    public boolean namesGroups() {
        return approvers().stream().anyMatch(e -> e.startsWith("S")) || operators().stream().anyMatch(e -> e.startsWith("S"));
    }

    public boolean approvalRequired() {
        return spec != null && !spec.autoApply();
    }

    public Decision decide(Verb verb, String user, Set<String> groups) {
        return switch (verb) {
            case STATUS, HISTORY, OUTPUTS, HELP -> Decision.allow("read-only");
            case PLAN, APPLY, CANCEL, UNLOCK -> operate(user, groups);
            case DESTROY -> spec != null && "forbidden".equals(spec.destroy())
                    ? Decision.refuse("the policy forbids destroy (spec.policy.destroy: forbidden)")
                    : operate(user, groups);
            case APPROVE, REJECT -> in(approvers(), user, groups)
                    ? Decision.allow("listed in spec.policy.approvers")
                    : Decision.refuse(user + " is not an approver (spec.policy.approvers)");
        };
    }

    /**
     * Cancelling a run: its requester ({@code requestedBy}, the run's trigger such as
     * {@code slack:U123}), or anyone who may apply the infrastructure.
     */
    public Decision decideCancel(String user, Set<String> groups, String requestedBy) {
        if (("slack:" + user).equals(requestedBy)) return Decision.allow("requested this run");
        var base = operate(user, groups);
        return base.allowed() ? Decision.allow("may apply this infrastructure (" + base.reason() + ")")
                : Decision.refuse(user + " neither requested this run nor may apply this infrastructure (spec.policy.operators/approvers)");
    }

    /** An approver deciding a run: four eyes under {@code apply: approval}. */
    public Decision decideApproval(String user, Set<String> groups, String requestedBy) {
        var base = decide(Verb.APPROVE, user, groups);
        if (!base.allowed()) return base;
        if (approvalRequired() && ("slack:" + user).equals(requestedBy)) {
            return Decision.refuse("four eyes: " + user + " requested this run and cannot approve it; another approver must");
        }
        return base;
    }

    private Decision operate(String user, Set<String> groups) {
        var allowed = new ArrayList<String>(operators());
        allowed.addAll(approvers());
        if (allowed.isEmpty()) return Decision.allow("the policy lists no operators");
        return in(allowed, user, groups)
                ? Decision.allow("listed in spec.policy.operators/approvers")
                : Decision.refuse(user + " is not an operator or approver of this infrastructure (spec.policy)");
    }

    private static boolean in(List<String> entries, String user, Set<String> groups) {
        for (var e : entries) if (e.equals(user) || groups.contains(e)) return true;
        return false;
    }
}
