package dev.cairn.reconciler.diag;

import java.util.List;
import java.util.stream.Collectors;

/** User input that cannot be used as it is; carries every problem found, never a stack trace for the user. */
public class InvalidInputException extends RuntimeException {
    private final List<Diagnostic> diagnostics;

    public InvalidInputException(List<Diagnostic> diagnostics) {
        super(diagnostics.stream().map(Diagnostic::format).collect(Collectors.joining("\n")));
        this.diagnostics = List.copyOf(diagnostics);
    }

    public InvalidInputException(Diagnostic diagnostic) {
        this(List.of(diagnostic));
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }
}
