package dev.cairn.reconciler.template;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A single reference with index forms ({@code [0]}, {@code ['key']}, {@code ["key"]}) keeps the
 * type of what it reaches, like the dotted form: a map stays a map and a list a list, never their
 * {@code toString()} ({@code {id=s-1, az=a}}, {@code [s-1, s-2]}) that a Terraform variable of type
 * object or list would reject.
 */
class TemplateIndexTypesTest {
    private final TemplateEngine engine = new TemplateEngine();

    private static TemplateScope scope() {
        var network = new LinkedHashMap<String, Object>();
        network.put("subnets", List.of(Map.of("id", "s-1", "az", "a"), Map.of("id", "s-2", "az", "b")));
        network.put("ids", List.of("s-1", "s-2"));
        network.put("matrix", List.of(List.of("a1", "a2"), List.of("b1", "b2")));
        var outputs = new LinkedHashMap<String, Map<String, Object>>();
        outputs.put("network", network);
        return new TemplateScope(Map.of("name", "dev"), Map.of(), Map.of("tags", Map.of("team", "platform")), outputs);
    }

    @Test
    void aListIndexThatReachesAMapGivesTheMap() {
        var s = scope();
        assertThat(engine.render("{{ outputs.network.subnets[0] }}", s)).isEqualTo(Map.of("id", "s-1", "az", "a"));
        assertThat(s.referencedOutputs()).containsExactly("network.subnets");
    }

    @Test
    void singleQuotedKeysThatReachAListGiveTheList() {
        assertThat(engine.render("{{ outputs['network']['ids'] }}", scope())).isEqualTo(List.of("s-1", "s-2"));
    }

    @Test
    void doubleQuotedKeysAndIndexesMixWithDots() {
        assertThat(engine.render("{{ outputs[\"network\"].matrix[1] }}", scope())).isEqualTo(List.of("b1", "b2"));
        assertThat(engine.render("{{ outputs.network['subnets'][1] }}", scope())).isEqualTo(Map.of("id", "s-2", "az", "b"));
        assertThat(engine.render("{{ vars['tags'] }}", scope())).isEqualTo(Map.of("team", "platform"));
    }

    @Test
    void spacesInsideBracketsStillMakeASingleReference() {
        assertThat(engine.render("{{ outputs.network.matrix[ 0 ][ 1 ] }}", scope())).isEqualTo("a2");
        assertThat(engine.render("{{ outputs.network.subnets[ 1 ] }}", scope())).isEqualTo(Map.of("id", "s-2", "az", "b"));
    }
}
