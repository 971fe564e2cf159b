package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChoiceRuleTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String INPUT = """
            {"s":"beta","n":3,"d":2.5,"b":true,"z":null,"t":"2026-06-01T12:00:00+02:00","u":"2026-06-01T10:00:00.000Z",
             "other":"beta","m":3.0,"glob":"a*b\\\\c"}""";

    static boolean test(String rule) throws Exception {
        return ChoiceRule.parse(JSON.readTree(rule), "Choices[0]", false).test(JSON.readTree(INPUT), JSON.createObjectNode());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"Variable":"$.s","StringEquals":"beta"} | true
            {"Variable":"$.s","StringLessThan":"alpha"} | false
            {"Variable":"$.s","StringGreaterThanEquals":"beta"} | true
            {"Variable":"$.n","StringEquals":"3"} | false
            {"Variable":"$.n","NumericEquals":3.0} | true
            {"Variable":"$.d","NumericLessThanEquals":2.5} | true
            {"Variable":"$.d","NumericGreaterThan":2.5} | false
            {"Variable":"$.s","NumericEquals":1} | false
            {"Variable":"$.b","BooleanEquals":true} | true
            {"Variable":"$.t","TimestampEquals":"2026-06-01T10:00:00Z"} | true
            {"Variable":"$.u","TimestampLessThan":"2026-06-01T10:00:01Z"} | true
            {"Variable":"$.s","TimestampEquals":"2026-06-01T10:00:00Z"} | false
            {"Variable":"$.s","StringEqualsPath":"$.other"} | true
            {"Variable":"$.n","NumericEqualsPath":"$.m"} | true
            {"Variable":"$.t","TimestampEqualsPath":"$.u"} | true
            {"Variable":"$.b","BooleanEqualsPath":"$.b"} | true
            {"Variable":"$.s","StringMatches":"b*a"} | true
            {"Variable":"$.s","StringMatches":"*z*"} | false
            {"Variable":"$.glob","StringMatches":"a\\\\*b\\\\\\\\c"} | true
            {"Variable":"$.glob","StringMatches":"a\\\\*"} | false
            {"Variable":"$.z","IsNull":true} | true
            {"Variable":"$.missing","IsNull":false} | false
            {"Variable":"$.missing","IsPresent":false} | true
            {"Variable":"$.s","IsString":true} | true
            {"Variable":"$.d","IsNumeric":true} | true
            {"Variable":"$.b","IsBoolean":false} | false
            {"Variable":"$.t","IsTimestamp":true} | true
            {"Variable":"$.s","IsTimestamp":true} | false
            {"Variable":"$.missing","StringEquals":"x"} | false
            {"And":[{"Variable":"$.b","BooleanEquals":true},{"Not":{"Variable":"$.n","NumericLessThan":1}}]} | true
            {"Or":[{"Variable":"$.b","BooleanEquals":false},{"Variable":"$.n","NumericGreaterThan":10}]} | false
            """)
    void evaluates(String rule, boolean expected) throws Exception {
        assertThat(test(rule)).isEqualTo(expected);
    }

    @Test
    void aMissingComparisonPathIsARuntimeError() {
        assertThatThrownBy(() -> test("{\"Variable\":\"$.s\",\"StringEqualsPath\":\"$.absent\"}"))
                .isInstanceOfSatisfying(TaskFailure.class, f -> assertThat(f.error()).isEqualTo("States.Runtime"));
    }

    @Test
    void refusesMalformedRules() {
        assertThatThrownBy(() -> ChoiceRule.parse(JSON.readTree("{\"Variable\":\"$.a\",\"StringEquals\":\"x\",\"NumericEquals\":1}"), "Choices[0]", true))
                .hasMessageContaining("exactly one operator");
        assertThatThrownBy(() -> ChoiceRule.parse(JSON.readTree("{\"Not\":{\"Variable\":\"$.a\",\"IsNull\":true,\"Next\":\"X\"}}"), "Choices[0]", true))
                .hasMessageContaining("Choices[0].Not.Next: only a top-level choice rule has Next");
        assertThatThrownBy(() -> ChoiceRule.parse(JSON.readTree("{\"Variable\":\"$.a\",\"TimestampEquals\":\"yesterday\"}"), "Choices[0]", false))
                .hasMessageContaining("an RFC 3339 timestamp");
        assertThatThrownBy(() -> ChoiceRule.parse(JSON.readTree("{\"Variable\":\"a\",\"IsNull\":true}"), "Choices[1]", false))
                .hasMessageContaining("Choices[1].Variable: a path must start with $");
    }

}
