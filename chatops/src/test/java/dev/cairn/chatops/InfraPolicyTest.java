package dev.cairn.chatops;

import dev.cairn.chatops.InfraCommand.Verb;
import dev.cairn.reconciler.manifest.Spec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class InfraPolicyTest {
    static final Policy PROD = new Policy(new Spec.PolicySpec("approval", List.of("U0APPROVER", "S0LEADS"), List.of("U0OPERATOR"), "forbidden"));
    static final Policy OPEN = new Policy(new Spec.PolicySpec(null, null, null, null));

    @Test
    void operatorsAndApproversOperateOthersDoNot() {
        assertThat(PROD.decide(Verb.APPLY, "U0OPERATOR", Set.of()).allowed()).isTrue();
        assertThat(PROD.decide(Verb.PLAN, "U0APPROVER", Set.of()).allowed()).isTrue();
        assertThat(PROD.decide(Verb.APPLY, "U0STRANGER", Set.of()).allowed()).isFalse();
        assertThat(PROD.decide(Verb.APPLY, "U0LEAD", Set.of("S0LEADS")).allowed()).as("through a user group").isTrue();
        assertThat(PROD.decide(Verb.UNLOCK, "U0STRANGER", Set.of()).allowed()).isFalse();
        assertThat(PROD.decide(Verb.STATUS, "U0STRANGER", Set.of()).allowed()).as("read-only").isTrue();
        assertThat(OPEN.decide(Verb.APPLY, "U0ANYONE", Set.of()).allowed()).as("no lists: anyone").isTrue();
    }

    @Test
    void destroyForbiddenHoldsForEveryone() {
        assertThat(PROD.decide(Verb.DESTROY, "U0OPERATOR", Set.of()).reason()).contains("forbids destroy");
        assertThat(PROD.decide(Verb.DESTROY, "U0APPROVER", Set.of()).allowed()).isFalse();
        assertThat(OPEN.decide(Verb.DESTROY, "U0ANYONE", Set.of()).allowed()).isTrue();
    }

    @Test
    void onlyApproversApproveAndNeverTheirOwnRunUnderApproval() {
        assertThat(PROD.decideApproval("U0APPROVER", Set.of(), "slack:U0OPERATOR").allowed()).isTrue();
        assertThat(PROD.decideApproval("U0OPERATOR", Set.of(), "slack:U0APPROVER").allowed()).as("operators do not approve").isFalse();
        assertThat(PROD.decideApproval("U0APPROVER", Set.of(), "slack:U0APPROVER").reason()).startsWith("four eyes");
        assertThat(OPEN.decideApproval("U0ANYONE", Set.of(), "slack:U0X").allowed()).as("nobody is an approver of an open policy").isFalse();
        var auto = new Policy(new Spec.PolicySpec("auto", List.of("U0APPROVER"), List.of(), null));
        assertThat(auto.decideApproval("U0APPROVER", Set.of(), "slack:U0APPROVER").allowed()).as("no four eyes without apply: approval").isTrue();
    }

    @Test
    void theRequesterOrWhoeverMayApplyCancelsARun() {
        assertThat(PROD.decideCancel("U0STRANGER", Set.of(), "slack:U0STRANGER").reason()).isEqualTo("requested this run");
        assertThat(PROD.decideCancel("U0OPERATOR", Set.of(), "slack:U0X").allowed()).isTrue();
        assertThat(PROD.decideCancel("U0LEAD", Set.of("S0LEADS"), null).allowed()).as("through a user group").isTrue();
        assertThat(PROD.decideCancel("U0STRANGER", Set.of(), "github:push d-1").allowed()).isFalse();
        assertThat(PROD.decideCancel("U0STRANGER", Set.of(), null).reason()).contains("neither requested this run nor may apply");
        assertThat(OPEN.decideCancel("U0ANYONE", Set.of(), null).allowed()).as("no lists: anyone").isTrue();
    }
}
