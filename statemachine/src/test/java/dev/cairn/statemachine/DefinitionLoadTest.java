package dev.cairn.statemachine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Load-time refusal: every unsupported feature is named with its state and field, never ignored. */
class DefinitionLoadTest {

    static String oneState(String state) {
        return "{\"StartAt\":\"S\",\"States\":{\"S\":" + state + "}}";
    }

    static DefinitionException refusal(String json) {
        try {
            StateMachine.parse(json, "test.asl.json");
        } catch (DefinitionException e) {
            return e;
        }
        throw new AssertionError("loaded: " + json);
    }

    @Test
    void everyFeatureOfTheReconcileDefinitionLoads() throws Exception {
        StateMachine machine = ReconcileDefinitionTest.reconcile();
        assertThat(machine.taskResources()).containsEntry("Approve", "arn:aws:states:::lambda:invoke.waitForTaskToken")
                .containsEntry("PlanApply", "arn:aws:states:::codebuild:startBuild.sync")
                .containsEntry("Prepare", "arn:aws:states:::lambda:invoke")
                .containsEntry("Preview", "arn:aws:states:::codebuild:startBuild.sync")
                .containsEntry("PlanAhead", "arn:aws:states:::codebuild:startBuild.sync")
                .hasSize(14);
        assertThat(machine.definition().at("/States/Prepare/Parameters/FunctionName").asText())
                .isEqualTo("arn:aws:lambda:local:000000000000:function:task");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown state type | {"Type":"Activity","End":true} | Type | state type 'Activity' is not supported
            unknown field on a Task | {"Type":"Task","Resource":"r","End":true,"Foo":1} | Foo | unknown field for a Task state
            heartbeats | {"Type":"Task","Resource":"r","End":true,"HeartbeatSeconds":10} | HeartbeatSeconds | heartbeats are not implemented
            JSONata | {"Type":"Pass","End":true,"QueryLanguage":"JSONata"} | QueryLanguage | only JSONPath is supported
            variables | {"Type":"Pass","End":true,"Assign":{"x":1}} | Assign | workflow variables
            unknown intrinsic | {"Type":"Pass","End":true,"Parameters":{"x.$":"States.Foo($.a)"}} | Parameters | unknown intrinsic function 'States.Foo'
            intrinsic arity | {"Type":"Pass","End":true,"Parameters":{"x.$":"States.MathAdd(1)"}} | Parameters | States.MathAdd takes 2 argument(s), got 1
            distributed map | {"Type":"Map","End":true,"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"A","States":{"A":{"Type":"Succeed"}}}} | ItemProcessor.ProcessorConfig.ExecutionType | only Mode (INLINE) is supported
            item reader | {"Type":"Map","End":true,"ItemReader":{},"ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}} | ItemReader | distributed Map
            result writer | {"Type":"Map","End":true,"ResultWriter":{},"ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}} | ResultWriter | distributed Map
            indexed ResultPath | {"Type":"Pass","End":true,"ResultPath":"$.a[0]"} | ResultPath | not a simple reference path
            missing Next target | {"Type":"Pass","Next":"Nowhere"} | Next | no state named 'Nowhere'
            Next and End | {"Type":"Pass","Next":"S","End":true} | End | exactly one of Next or End
            retry field | {"Type":"Task","Resource":"r","End":true,"Retry":[{"ErrorEquals":["X"],"Backoff":2}]} | Retry[0].Backoff | unknown field
            States.ALL not last | {"Type":"Task","Resource":"r","End":true,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"S"},{"ErrorEquals":["X"],"Next":"S"}]} | Catch[0].ErrorEquals | States.ALL must be alone
            choice operator | {"Type":"Choice","Choices":[{"Variable":"$.a","StringEqual":"x","Next":"S"}]} | Choices[0].StringEqual | unknown choice operator
            choice value type | {"Type":"Choice","Choices":[{"Variable":"$.a","NumericEquals":"1","Next":"S"}]} | Choices[0].NumericEquals | is not a valid value
            bad JSONPath | {"Type":"Pass","End":true,"InputPath":"$.a[?("} | InputPath | invalid JSONPath
            tolerated failures | {"Type":"Map","End":true,"ToleratedFailureCount":1,"ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}} | ToleratedFailureCount | distributed Map
            """)
    void refusesWithTheStateAndTheField(String what, String state, String field, String message) {
        DefinitionException e = refusal(oneState(state));
        assertThat(e.state()).isEqualTo("S");
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.getMessage()).startsWith("test.asl.json: state S: field " + field + ": ").contains(message);
    }

    @Test
    void aStateInsideAMapIsNamed() {
        DefinitionException e = refusal(oneState("""
                {"Type":"Map","End":true,"ItemProcessor":{"StartAt":"Inner","States":{"Inner":{"Type":"Task","Resource":"r","End":true,"Credentials":{}}}}}"""));
        assertThat(e.state()).isEqualTo("Inner");
        assertThat(e.field()).isEqualTo("Credentials");
    }

    @Test
    void unknownTopLevelFieldsAndJsonataAtTheTopAreRefused() {
        assertThat(refusal("{\"StartAt\":\"S\",\"States\":{\"S\":{\"Type\":\"Succeed\"}},\"Extra\":1}").field()).isEqualTo("Extra");
        assertThat(refusal("{\"QueryLanguage\":\"JSONata\",\"StartAt\":\"S\",\"States\":{\"S\":{\"Type\":\"Succeed\"}}}").getMessage())
                .contains("(top level)").contains("JSONata");
    }

    @Test
    void anUnreachableStateIsRefused() {
        DefinitionException e = refusal("{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Succeed\"},\"Orphan\":{\"Type\":\"Succeed\"}}}");
        assertThat(e.state()).isEqualTo("Orphan");
        assertThat(e.field()).isNull();
        assertThat(e.getMessage()).isEqualTo("test.asl.json: state Orphan: no Next, Default or Catch from StartAt reaches this state");
    }

    @Test
    void substitutionsAreInsertedAsJsonStringContent() {
        StateMachine machine = StateMachine.parse(oneState("{\"Type\":\"Pass\",\"Result\":\"${Arn}\",\"End\":true}"), "t.json",
                Map.of("Arn", "quote\" and \\ backslash"));
        assertThat(machine.definition().at("/States/S/Result").asText()).isEqualTo("quote\" and \\ backslash");
    }

    @Test
    void notJsonIsRefusedWithTheLine() {
        assertThatThrownBy(() -> StateMachine.parse("{\n  \"StartAt\": \"S\",\n  oops\n}", "t.json"))
                .isInstanceOf(DefinitionException.class).hasMessageStartingWith("t.json: state (top level): not JSON (line 3");
    }

    @Test
    void aSubstitutionWithoutAValueIsRefused() {
        assertThatThrownBy(() -> StateMachine.parse(oneState("{\"Type\":\"Pass\",\"Result\":\"${Missing}\",\"End\":true}"), "t.json", Map.of()))
                .isInstanceOf(DefinitionException.class).hasMessageContaining("${Missing}");
    }

    @Test
    void aTaskWithoutAnIntegrationIsRefusedWhenTheExecutorIsBuilt() {
        StateMachine machine = StateMachine.parse(oneState("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::sqs:sendMessage\",\"End\":true}"), "t.json");
        assertThatThrownBy(() -> new LocalExecutions(machine, Map.of(), Executions.Listener.NONE, ExecutionOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("state S (arn:aws:states:::sqs:sendMessage)");
    }
}
