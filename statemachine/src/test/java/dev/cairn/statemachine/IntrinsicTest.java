package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IntrinsicTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode eval(String call, String input) throws Exception {
        JsonNode context = JSON.readTree("{\"Execution\":{\"Name\":\"run-1\"}}");
        return Intrinsic.parse(call).eval(JSON.readTree(input), context, new Random(7));
    }

    static JsonNode eval(String call) throws Exception {
        return eval(call, "{}");
    }

    static TaskFailure failure(String call, String input) {
        try {
            eval(call, input);
        } catch (TaskFailure f) {
            return f;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no failure for " + call);
    }

    @Test
    void parsesNestedCallsPathsLiteralsAndEscapes() throws Exception {
        assertThat(eval("States.Format( '{}/{}/{}/{}/{}' , $.a, $$.Execution.Name, -1.5, true, null )", "{\"a\":\"x\"}").asText())
                .isEqualTo("x/run-1/-1.5/true/null");
        assertThat(eval("States.Format('it\\'s \\{{}\\} \\\\ {}', 'a, b', States.MathAdd(1, States.ArrayLength(States.Array(1,2))))").asText())
                .isEqualTo("it's {a, b} \\ 3");
        assertThat(eval("States.ArrayGetItem($['odd, key'], 0)", "{\"odd, key\":[\"v\"]}").asText()).isEqualTo("v");
        assertThat(eval("States.Array($.items[?(@.n > 1)].n)", "{\"items\":[{\"n\":1},{\"n\":2}]}").toString()).isEqualTo("[[2]]");
        assertThat(eval("States.Array()").toString()).isEqualTo("[]");
        // escapes hold in every string literal, not only in a Format template
        assertThat(eval("States.Array('\\{\\}', 'a\\\\b', 'it\\'s')").toString()).isEqualTo("[\"{}\",\"a\\\\b\",\"it's\"]");
        assertThat(eval("States.Format('\\\\{}', 'x')").asText()).isEqualTo("\\x");
    }

    @Test
    void refusesBadSyntaxNamingThePosition() {
        assertThatThrownBy(() -> Intrinsic.parse("States.Format('open)")).hasMessageContaining("expected '''");
        assertThatThrownBy(() -> Intrinsic.parse("States.Nope(1)")).hasMessageContaining("unknown intrinsic function 'States.Nope'");
        assertThatThrownBy(() -> Intrinsic.parse("States.UUID(1)")).hasMessageContaining("States.UUID takes 0 argument(s), got 1");
        assertThatThrownBy(() -> Intrinsic.parse("States.Array(1) x")).hasMessageContaining("at character 17: unexpected 'x' after the call");
        assertThatThrownBy(() -> Intrinsic.parse("States.Format('\\n')")).hasMessageContaining("unknown escape \\n");
        assertThatThrownBy(() -> Intrinsic.parse("States.Array(wat)")).hasMessageContaining("at character 14");
    }

    @Test
    void arrayFunctions() throws Exception {
        assertThat(eval("States.ArrayPartition(States.ArrayRange(1, 5, 1), 2)").toString()).isEqualTo("[[1,2],[3,4],[5]]");
        assertThat(eval("States.ArrayRange(10, 1, -4)").toString()).isEqualTo("[10,6,2]");
        assertThat(eval("States.ArrayContains($.l, 2.0)", "{\"l\":[1,2]}").booleanValue()).isTrue();
        assertThat(eval("States.ArrayContains($.l, {})".replace("{}", "'2'"), "{\"l\":[1,2]}").booleanValue()).isFalse();
        assertThat(eval("States.ArrayUnique($.l)", "{\"l\":[1,1.0,{\"a\":1},{\"a\":1},\"1\"]}").toString()).isEqualTo("[1,{\"a\":1},\"1\"]");
        assertThat(failure("States.ArrayRange(1, 2000, 1)", "{}").cause()).contains("more than 1000");
        assertThat(failure("States.ArrayPartition(States.Array(1), 0)", "{}").error()).isEqualTo("States.IntrinsicFailure");
        assertThat(failure("States.ArrayLength('x')", "{}").cause()).contains("argument 1 must be an array, got a string");
    }

    @Test
    void stringJsonAndEncodingFunctions() throws Exception {
        assertThat(eval("States.StringToJson('{\"a\":[1]}')").toString()).isEqualTo("{\"a\":[1]}");
        assertThat(eval("States.JsonToString($)", "{\"b\":{\"c\":null}}").asText()).isEqualTo("{\"b\":{\"c\":null}}");
        assertThat(eval("States.Base64Decode(States.Base64Encode('héllo'))").asText()).isEqualTo("héllo");
        assertThat(eval("States.Hash('abc', 'SHA-512')").asText()).startsWith("ddaf35a193617aba");
        assertThat(eval("States.Hash('abc', 'SHA-384')").asText()).startsWith("cb00753f45a35e8b");
        assertThat(eval("States.StringSplit(',a,,b,', ',')").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(eval("States.JsonMerge($.a, $.b, false)", "{\"a\":{\"x\":1,\"o\":{\"p\":1}},\"b\":{\"o\":{\"q\":2}}}").toString())
                .isEqualTo("{\"x\":1,\"o\":{\"q\":2}}");
        assertThat(failure("States.JsonMerge($.a, $.a, true)", "{\"a\":{}}").cause()).contains("deep merge");
        assertThat(failure("States.StringToJson('{')", "{}").error()).isEqualTo("States.IntrinsicFailure");
        assertThat(failure("States.Base64Decode('%%%')", "{}").cause()).contains("not Base64");
        assertThat(failure("States.Hash('a', 'SHA-3')", "{}").cause()).contains("unknown algorithm 'SHA-3'");
        assertThat(failure("States.Format('{} {}', 'one')", "{}").cause()).contains("more {} than arguments");
        assertThat(failure("States.Format('{}', $.o)", "{\"o\":{}}").cause()).contains("only strings, numbers, booleans and null");
    }

    @Test
    void mathAndRandomFunctions() throws Exception {
        assertThat(eval("States.MathAdd(111, -1)").intValue()).isEqualTo(110);
        assertThat(failure("States.MathAdd(1.5, 1)", "{}").error()).isEqualTo("States.IntrinsicFailure");
        assertThat(eval("States.MathRandom(1, 999, 42)")).isEqualTo(eval("States.MathRandom(1, 999, 42)"));
        for (int i = 0; i < 50; i++) assertThat(eval("States.MathRandom(3, 5)").intValue()).isBetween(3, 4);
        assertThat(eval("States.UUID()").asText()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(failure("States.MathRandom(5, 5)", "{}").cause()).contains("must be above the start");
    }

    @Test
    void aMissingPathArgumentIsARuntimeError() {
        assertThat(failure("States.ArrayLength($.nope)", "{}").error()).isEqualTo("States.Runtime");
    }
}
