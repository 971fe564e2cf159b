package dev.cairn.reconciler.template;

import io.pebbletemplates.pebble.extension.Extension;
import io.pebbletemplates.pebble.extension.ExtensionCustomizer;
import io.pebbletemplates.pebble.extension.Function;
import io.pebbletemplates.pebble.template.EvaluationContext;
import io.pebbletemplates.pebble.template.PebbleTemplate;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pebble's {@code range} function (and the {@code a..b} operator, which calls it) with bounds: one
 * range may have at most {@link #MAX_RANGE} elements, and all the ranges of one template
 * evaluation together at most {@link #MAX_ELEMENTS}, so a manifest cannot make validation or a
 * run loop for minutes or run out of memory.
 */
final class BoundedRange extends ExtensionCustomizer {
    static final int MAX_RANGE = 10_000;
    static final int MAX_ELEMENTS = 100_000;
    /** Elements produced by the ranges of the evaluation running on this thread. */
    private static final ThreadLocal<long[]> USED = ThreadLocal.withInitial(() -> new long[1]);

    BoundedRange(Extension delegate) {
        super(delegate);
    }

    /** Starts a new evaluation's budget. */
    static void reset() {
        USED.get()[0] = 0;
    }

    @Override
    public Map<String, Function> getFunctions() {
        var functions = super.getFunctions();
        if (functions == null || !functions.containsKey("range")) return functions;
        var out = new HashMap<>(functions);
        var range = functions.get("range");
        out.put("range", new Function() {
            @Override
            public Object execute(Map<String, Object> args, PebbleTemplate self, EvaluationContext context, int lineNumber) {
                var size = size(args.get("start"), args.get("end"), args.get("increment"));
                var used = USED.get();
                if (size > MAX_RANGE || used[0] + size > MAX_ELEMENTS) {
                    throw new TemplateException("template-too-large",
                            "a range of " + size + " elements is more than a template may loop over (" + MAX_RANGE
                                    + " per range, " + MAX_ELEMENTS + " per template)",
                            "loop over a smaller range; generate large data in the Terraform module instead");
                }
                used[0] += size;
                return range.execute(args, self, context, lineNumber);
            }

            @Override
            public List<String> getArgumentNames() {
                return range.getArgumentNames();
            }
        });
        return out;
    }

    /** How many elements the range would have; 0 when an argument is no number (Pebble reports it). */
    private static long size(Object start, Object end, Object increment) {
        double step = increment instanceof Number n ? n.doubleValue() : 1;
        if (!(start instanceof Number s) || !(end instanceof Number e) || step == 0) {
            // single characters ("a".."z") are few; anything else is Pebble's error
            return 0;
        }
        var count = Math.floor((e.doubleValue() - s.doubleValue()) / step) + 1;
        return count <= 0 ? 0 : count >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) count;
    }
}
