package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResultPathTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void parsesFieldNamesInDotAndBracketForm() {
        assertThat(ResultPath.parse("$").fields()).isEmpty();
        assertThat(ResultPath.parse("$.a.b-c").fields()).containsExactly("a", "b-c");
        assertThat(ResultPath.parse("$['odd key'].x[\"y\"]").fields()).containsExactly("odd key", "x", "y");
    }

    @Test
    void refusesAnythingButASimpleReferencePath() {
        for (String path : new String[] {"$.a[0]", "$.a.*", "$..a", "$.a[?(@.b)]", "$$.Execution", "a.b", "$.a."}) {
            assertThatThrownBy(() -> ResultPath.parse(path)).as(path).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void placesTheResultIntoACopyOfTheInput() throws Exception {
        var input = JSON.readTree("{\"a\":{\"keep\":1},\"b\":2}");
        assertThat(ResultPath.parse("$.a.new.deep").apply(input, JSON.readTree("true")).toString())
                .isEqualTo("{\"a\":{\"keep\":1,\"new\":{\"deep\":true}},\"b\":2}");
        assertThat(input.toString()).isEqualTo("{\"a\":{\"keep\":1},\"b\":2}");
        assertThat(ResultPath.DISCARD.apply(input, JSON.readTree("1"))).isSameAs(input);
        assertThat(ResultPath.REPLACE.apply(input, JSON.readTree("[1]")).toString()).isEqualTo("[1]");
    }

    @Test
    void aPathThroughANonObjectIsAResultPathMatchFailure() throws Exception {
        assertThatThrownBy(() -> ResultPath.parse("$.b.c").apply(JSON.readTree("{\"b\":2}"), JSON.readTree("1")))
                .isInstanceOfSatisfying(TaskFailure.class, f -> {
                    assertThat(f.error()).isEqualTo("States.ResultPathMatchFailure");
                    assertThat(f.cause()).contains("'b' is a number, not an object");
                });
        assertThatThrownBy(() -> ResultPath.parse("$.x").apply(JSON.readTree("[1]"), JSON.readTree("1")))
                .isInstanceOfSatisfying(TaskFailure.class, f -> assertThat(f.cause()).contains("the input is an array"));
    }
}
