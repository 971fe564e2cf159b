package dev.cairn.cli.invoke;

import java.util.Map;

/**
 * A function's environment as {@code cairn invoke} hands it to the handler: the values, where
 * each came from (for the user; values are never printed, they may be secrets), and the
 * variables left unset with the reason (the handler's local default then applies).
 */
public record ResolvedEnvironment(Map<String, String> values, Map<String, String> sources, Map<String, String> unresolved) {
}
