package dev.cairn.reconciler.change;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which {@code vars.*} names templates use, found by reading the template text (no rendering):
 * {@code vars.region} and {@code vars['region']} name one variable; any other use of {@code vars}
 * ({@code vars | keys}, {@code for v in vars}, {@code set all = vars}) may read any of them.
 */
final class TemplateVariables {
    private static final Pattern VARS = Pattern.compile(
            "\\bvars\\b(?:\\s*\\.\\s*([A-Za-z_][A-Za-z0-9_]*)|\\s*\\[\\s*(['\"])([^'\"]*)\\2\\s*])?");

    private TemplateVariables() {
    }

    /**
     * The variable names the strings of {@code nodes} use, or empty when some template may read
     * any variable (then every variable counts).
     */
    static Optional<Set<String>> referenced(Iterable<JsonNode> nodes) {
        var names = new TreeSet<String>();
        for (var node : nodes) {
            if (!collect(node, names)) return Optional.empty();
        }
        return Optional.of(names);
    }

    private static boolean collect(JsonNode node, Set<String> names) {
        if (node.isTextual()) return collect(node.asText(), names);
        for (var child : node) {
            if (!collect(child, names)) return false;
        }
        return true;
    }

    private static boolean collect(String text, Set<String> names) {
        if (!text.contains("{{") && !text.contains("{%")) return true;
        var matcher = VARS.matcher(text);
        while (matcher.find()) {
            if (matcher.group(1) != null) names.add(matcher.group(1));
            else if (matcher.group(3) != null) names.add(matcher.group(3));
            else return false;
        }
        return true;
    }
}
