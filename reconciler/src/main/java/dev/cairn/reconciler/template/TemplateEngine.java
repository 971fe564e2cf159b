package dev.cairn.reconciler.template;

import dev.cairn.reconciler.diag.Suggestions;
import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.error.AttributeNotFoundException;
import io.pebbletemplates.pebble.error.ParserException;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.error.RootAttributeNotFoundException;
import io.pebbletemplates.pebble.loader.StringLoader;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Renders manifest values with Pebble ({@code {{ outputs.network.vpc_id }}}, filters, conditions)
 * in strict mode: a name that does not exist is an error, never an empty string.
 * A string that is exactly one reference keeps the referenced value's type, so lists and maps stay
 * lists and maps in the tfvars.
 */
public final class TemplateEngine {
    private static final Pattern SINGLE_REFERENCE = Pattern.compile(
            "^\\s*\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z0-9_-]+|\\[\\s*(?:'[^']*'|\"[^\"]*\"|[0-9]+)\\s*])*)\\s*}}\\s*$");
    private static final Pattern PATH_PART = Pattern.compile("\\.([A-Za-z0-9_-]+)|\\[\\s*(?:'([^']*)'|\"([^\"]*)\"|([0-9]+))\\s*]");

    /** The longest text one template may render (1 MiB): more is a validation error, not an out-of-memory. */
    static final int MAX_RENDERED_SIZE = 1 << 20;

    private final PebbleEngine pebble = new PebbleEngine.Builder()
            .loader(new StringLoader())
            .autoEscaping(false)
            .strictVariables(true)
            .newLineTrimming(false)
            .cacheActive(true)
            .maxRenderedSize(MAX_RENDERED_SIZE)
            .registerExtensionCustomizer(BoundedRange::new)
            .build();

    /** True when {@code text} contains template syntax at all. */
    public static boolean isTemplate(String text) {
        return text.contains("{{") || text.contains("{%");
    }

    /** Renders every string inside {@code value} (maps and lists are walked). */
    public Object render(Object value, TemplateScope scope) {
        if (value instanceof String text) return renderString(text, scope);
        if (value instanceof Map<?, ?> map) {
            var out = new LinkedHashMap<String, Object>();
            map.forEach((k, v) -> out.put(String.valueOf(k), render(v, scope)));
            return out;
        }
        if (value instanceof List<?> list) {
            var out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(render(v, scope)));
            return out;
        }
        return value;
    }

    public Object renderString(String text, TemplateScope scope) {
        if (!isTemplate(text)) return text;
        scope.beginEvaluation();
        var single = SINGLE_REFERENCE.matcher(text);
        if (single.matches()) return scope.unwrapRead(lookup(single.group(1), scope));
        try {
            var template = pebble.getLiteralTemplate(text);
            var out = new StringWriter();
            BoundedRange.reset();
            template.evaluate(out, scope.roots());
            return out.toString();
        } catch (StackOverflowError e) {
            throw new TemplateException("template-too-large", "template recurses too deeply",
                    "a macro must not call itself without end");
        } catch (ParserException e) {
            throw new TemplateException("template-syntax", "template does not parse: " + firstLine(e.getPebbleMessage()),
                    "check the {{ ... }} and {% ... %} delimiters and the expression inside");
        } catch (RootAttributeNotFoundException e) {
            throw unknownRoot(e.getAttributeName());
        } catch (AttributeNotFoundException e) {
            if (scope.lastMiss() == null) {
                // not a map key (a list index out of range, an attribute of a plain value): no path to name
                throw new TemplateException("unknown-reference", "`" + e.getAttributeName() + "` does not exist in `" + text.trim() + "`",
                        "check the names and list indexes this template uses");
            }
            throw missing(scope.lastMiss(), scope);
        } catch (PebbleException e) {
            if (e.getCause() instanceof TemplateException t) throw t;
            if (String.valueOf(e.getPebbleMessage()).startsWith("Tried to write more than")) {
                throw new TemplateException("template-too-large", "template renders more than " + MAX_RENDERED_SIZE + " characters",
                        "render less text; generate large data in the Terraform module instead");
            }
            throw new TemplateException("template-error", firstLine(e.getPebbleMessage()),
                    "check the expression; see https://pebbletemplates.io for the syntax");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Object lookup(String expression, TemplateScope scope) {
        var rootEnd = 0;
        while (rootEnd < expression.length() && expression.charAt(rootEnd) != '.' && expression.charAt(rootEnd) != '[') rootEnd++;
        var root = expression.substring(0, rootEnd);
        Object node = scope.roots().get(root);
        if (node == null) throw unknownRoot(root);
        var matcher = PATH_PART.matcher(expression);
        var path = new StringBuilder(root);
        int pos = rootEnd;
        while (pos < expression.length() && matcher.find(pos) && matcher.start() == pos) {
            var name = matcher.group(1) != null ? matcher.group(1)
                    : matcher.group(2) != null ? matcher.group(2)
                    : matcher.group(3) != null ? matcher.group(3) : matcher.group(4);
            if (node instanceof Map<?, ?> map) {
                if (!map.containsKey(name)) throw missing(path + "." + name, scope);
                node = map.get(name);
            } else if (node instanceof List<?> list && name.chars().allMatch(Character::isDigit)
                    && Integer.parseInt(name) < list.size()) {
                node = list.get(Integer.parseInt(name));
            } else if (node == Unknown.VALUE) {
                return Unknown.VALUE;
            } else {
                throw missing(path + "." + name, scope);
            }
            path.append('.').append(name);
            pos = matcher.end();
        }
        return node;
    }

    private static TemplateException unknownRoot(String name) {
        return new TemplateException("unknown-reference", "`" + name + "` is not defined in templates",
                "templates can use infra.*, spec.*, vars.* and outputs.STAGE.OUTPUT");
    }

    private static TemplateException missing(String path, TemplateScope scope) {
        var dot = path.lastIndexOf('.');
        var parent = dot < 0 ? "" : path.substring(0, dot);
        var name = path.substring(dot + 1);
        Set<String> known = scope.namesAt(parent);
        String what;
        if (parent.equals("outputs")) what = "stage `" + name + "` does not exist or is not enabled";
        else if (parent.startsWith("outputs.") && parent.indexOf('.', 8) < 0)
            what = "stage `" + parent.substring(8) + "` has no output `" + name + "`";
        else if (parent.equals("vars")) what = "variable `" + name + "` is not defined";
        else what = "`" + path + "` does not exist";
        var suggestion = Suggestions.closest(name, known);
        var hint = suggestion != null ? "did you mean `" + parent + "." + suggestion + "`?"
                : known.isEmpty() ? (parent.equals("vars") ? "define it under `variables` in the manifest or cairn.yaml" : null)
                : "known here: " + String.join(", ", known.stream().limit(12).toList());
        if (hint == null && parent.startsWith("outputs.")) hint = "declare the output in the module, or reference one it has";
        if (hint == null) hint = "`" + parent + "` has no `" + name + "`; check the path";
        return new TemplateException("unknown-reference", "{{ " + path + " }}: " + what, hint);
    }

    private static String firstLine(String text) {
        if (text == null) return "invalid template";
        var nl = text.indexOf('\n');
        return (nl < 0 ? text : text.substring(0, nl)).trim();
    }
}
