package dev.cairn.reconciler.template;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The edges of what a template may do: a range of exactly 10,000 elements loops, one more is
 * refused; all the ranges of one template together may reach 100,000 and no more. And the hints
 * of the errors a user meets first (an undefined variable, an empty stage, a syntax error).
 */
class TemplateLimitsTest {
    private final TemplateEngine engine = new TemplateEngine();

    private static TemplateScope scope(Map<String, Object> vars) {
        var outputs = new LinkedHashMap<String, Map<String, Object>>();
        outputs.put("empty", Map.of());
        return new TemplateScope(Map.of("name", "dev"), Map.of(), vars, outputs);
    }

    private Object render(String text) {
        return engine.render(text, scope(Map.of()));
    }

    private TemplateException failure(String text) {
        return catchThrowableOfType(TemplateException.class, () -> render(text));
    }

    private static String loops(int count, String range) {
        return ("{% for i in " + range + " %}{% endfor %}").repeat(count) + "ok";
    }

    @Test
    void aRangeOfTenThousandElementsLoopsAndOneMoreIsRefused() {
        assertThat(render(loops(1, "range(1, 10000)"))).isEqualTo("ok");
        assertThat(render(loops(1, "range(100, 10099)"))).isEqualTo("ok");

        var e = failure(loops(1, "range(1, 10001)"));
        assertThat(e.rule()).isEqualTo("template-too-large");
        assertThat(e.getMessage()).contains("a range of 10001 elements");
        assertThat(failure(loops(1, "range(100, 10100)")).getMessage()).contains("a range of 10001 elements");
    }

    @Test
    void aStepCountsAsFewerElements() {
        // 0, 2, ..., 19998: 10,000 elements; up to 20000: 10,001
        assertThat(render(loops(1, "range(0, 19998, 2)"))).isEqualTo("ok");
        assertThat(failure(loops(1, "range(0, 20000, 2)")).getMessage()).contains("a range of 10001 elements");
    }

    @Test
    void anEmptyOrBackwardsRangeCostsNothing() {
        // a backwards range has no elements; it must not eat into (or overflow) the template's budget
        assertThat(render(loops(10, "range(1, 10000)") + loops(50, "range(5, 1)"))).isEqualTo("ok".repeat(2));
    }

    @Test
    void allRangesOfOneTemplateTogetherMayReachOneHundredThousandAndNoMore() {
        assertThat(render(loops(10, "range(1, 10000)"))).isEqualTo("ok");

        var e = failure(loops(10, "range(1, 10000)") + loops(1, "range(1, 1)"));
        assertThat(e.rule()).isEqualTo("template-too-large");
        assertThat(e.getMessage()).contains("a range of 1 elements").contains("100000 per template");
    }

    @Test
    void theBudgetIsPerEvaluationNotPerEngine() {
        for (int i = 0; i < 3; i++) assertThat(render(loops(10, "range(1, 10000)"))).isEqualTo("ok");
    }

    @Test
    void anUndefinedVariableWithNoVariablesAtAllSaysWhereToDefineIt() {
        var e = failure("{{ vars.region }}-x");
        assertThat(e.rule()).isEqualTo("unknown-reference");
        assertThat(e.getMessage()).contains("variable `region` is not defined");
        assertThat(e.hint()).isEqualTo("define it under `variables` in the manifest or cairn.yaml");
    }

    @Test
    void aStageWithNoOutputsSaysToDeclareOne() {
        var e = failure("{{ outputs.empty.vpc_id }}");
        assertThat(e.getMessage()).contains("stage `empty` has no output `vpc_id`");
        assertThat(e.hint()).isEqualTo("declare the output in the module, or reference one it has");
    }

    @Test
    void aSyntaxErrorIsOneLineThatNamesTheProblem() {
        var e = failure("{{ vars.x | }}");
        assertThat(e.rule()).isEqualTo("template-syntax");
        assertThat(e.getMessage()).startsWith("template does not parse: ").doesNotContain("\n");
        assertThat(e.getMessage().substring("template does not parse: ".length())).hasSizeGreaterThan(10);
    }
}
