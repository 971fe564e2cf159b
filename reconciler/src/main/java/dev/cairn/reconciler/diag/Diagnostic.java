package dev.cairn.reconciler.diag;

/**
 * One problem found in user input: where, which rule, what is wrong and what to do about it.
 * Printed as {@code file:line:col: rule-id: message} followed by an indented hint.
 */
public record Diagnostic(Location location, String rule, String message, String hint) {

    public String format() {
        var text = location + ": " + rule + ": " + message;
        return hint == null || hint.isBlank() ? text : text + "\n    hint: " + hint;
    }

    @Override
    public String toString() {
        return format();
    }
}
