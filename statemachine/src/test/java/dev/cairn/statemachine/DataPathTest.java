package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Paths evaluated by Jayway json-path over Jackson trees, with Step Functions' reading of a miss. */
class DataPathTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String INPUT = "{\"s\":\"x\",\"i\":7,\"big\":12345678901,\"d\":1.5,\"z\":null,\"o\":{\"a\":[{\"n\":1},{\"n\":2}]}}";

    static JsonNode read(String path) throws Exception {
        return DataPath.parse(path).read(JSON.readTree(INPUT), JSON.readTree("{\"Execution\":{\"Name\":\"e\"}}"));
    }

    @Test
    void keepsJsonTypes() throws Exception {
        assertThat(read("$.s").isTextual()).isTrue();
        assertThat(read("$.i").isInt()).isTrue();
        assertThat(read("$.big").longValue()).isEqualTo(12345678901L);
        assertThat(read("$.d").isDouble()).isTrue();
        assertThat(read("$.z").isNull()).isTrue();
        assertThat(read("$").toString()).isEqualTo(INPUT);
        assertThat(read("$$.Execution.Name").asText()).isEqualTo("e");
        assertThat(read("$$").has("Execution")).isTrue();
    }

    @Test
    void definitePathsSelectAValueAndIndefiniteOnesAList() throws Exception {
        assertThat(read("$.o.a[1].n").intValue()).isEqualTo(2);
        assertThat(read("$.o.a[*].n").toString()).isEqualTo("[1,2]");
        assertThat(read("$..n").toString()).isEqualTo("[1,2]");
        assertThat(read("$.o.a[?(@.n > 1)]").toString()).isEqualTo("[{\"n\":2}]");
        assertThat(read("$.o.a[-1].n").intValue()).isEqualTo(2);
    }

    @Test
    void aMissIsStatesRuntime() {
        for (String path : new String[] {"$.missing", "$.s.deeper", "$.o.a[5]", "$.o.a[5].n", "$.nothing[*]", "$$.Task.Token"}) {
            assertThatThrownBy(() -> read(path)).as(path).isInstanceOfSatisfying(TaskFailure.class,
                    f -> assertThat(f.error()).isEqualTo("States.Runtime"));
        }
        assertThat(DataPath.parse("$.x").find(JSON.getNodeFactory().textNode("scalar"), JSON.createObjectNode())).isEmpty();
    }

    @Test
    void refusesWhatIsNotAPath() {
        assertThatThrownBy(() -> DataPath.parse("a.b")).hasMessageContaining("must start with $");
        assertThatThrownBy(() -> DataPath.parse("$.a[")).hasMessageContaining("invalid JSONPath");
    }
}
