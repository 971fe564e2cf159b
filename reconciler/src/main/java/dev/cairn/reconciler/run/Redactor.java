package dev.cairn.reconciler.run;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Replaces every known secret (sensitive outputs, sensitive inputs) in text bound for logs,
 * messages and errors with {@code (sensitive)}.
 */
public final class Redactor implements UnaryOperator<String> {
    public static final String MASK = "(sensitive)";
    private final Set<String> secrets = ConcurrentHashMap.newKeySet();

    public void add(Object value) {
        switch (value) {
            case null -> {
            }
            case String s -> {
                if (s.length() >= 4) secrets.add(s);
            }
            case Map<?, ?> m -> m.values().forEach(this::add);
            case Collection<?> c -> c.forEach(this::add);
            default -> {
                var s = String.valueOf(value);
                if (s.length() >= 6) secrets.add(s);
            }
        }
    }

    /** Whether {@code value} (a string, or any string inside maps and lists) contains a known secret. */
    public boolean reveals(Object value) {
        return switch (value) {
            case null -> false;
            case String s -> !apply(s).equals(s);
            case Map<?, ?> m -> m.values().stream().anyMatch(this::reveals);
            case Collection<?> c -> c.stream().anyMatch(this::reveals);
            default -> {
                var s = String.valueOf(value);
                yield !apply(s).equals(s);
            }
        };
    }

    @Override
    public String apply(String text) {
        if (text == null || secrets.isEmpty()) return text;
        var out = text;
        for (var secret : secrets) {
            if (out.contains(secret)) out = out.replace(secret, MASK);
        }
        return out;
    }
}
