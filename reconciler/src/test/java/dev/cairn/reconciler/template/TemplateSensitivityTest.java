package dev.cairn.reconciler.template;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which rendered values read a sensitive output, however the template reaches it. */
class TemplateSensitivityTest {
    private final TemplateEngine engine = new TemplateEngine();

    private static TemplateScope scope() {
        var outputs = new LinkedHashMap<String, Map<String, Object>>();
        outputs.put("addons", Map.of("admin_password", "kc-secret-value", "url", "https://kc", "keys", List.of("k1")));
        outputs.put("network", Map.of("vpc_id", "vpc-123"));
        return new TemplateScope(Map.of("name", "dev"), Map.of(), Map.of("x", "y"), outputs)
                .markSensitive("addons", "admin_password").markSensitive("addons", "keys");
    }

    private boolean readsSecret(String template) {
        var scope = scope();
        scope.beginValue();
        engine.render(template, scope);
        return scope.readSensitive();
    }

    @Test
    void everyWayOfReadingASensitiveOutputIsNoticed() {
        assertThat(readsSecret("{{ outputs.addons.admin_password }}")).isTrue();
        assertThat(readsSecret("pw={{ outputs.addons.admin_password | upper }}")).isTrue();
        assertThat(readsSecret("{{ outputs.addons['admin_password'] }}")).isTrue();
        assertThat(readsSecret("{{ outputs.addons.keys[0] }}")).isTrue();
        assertThat(readsSecret("{{ outputs.addons }}")).as("the whole stage").isTrue();
        assertThat(readsSecret("{% for entry in outputs.addons %}{{ entry.value }}{% endfor %}")).as("a loop over the stage").isTrue();
    }

    @Test
    void plainOutputsAndOtherValuesAreNotSensitive() {
        assertThat(readsSecret("{{ outputs.addons.url }}")).isFalse();
        assertThat(readsSecret("{{ outputs.network.vpc_id }}-{{ infra.name }}-{{ vars.x }}")).isFalse();
        assertThat(readsSecret("{{ outputs.network }}")).isFalse();
    }
}
