package dev.cairn.statemachine;

/** A definition the executor will not run: {@code source: state NAME: field FIELD: why}. */
public final class DefinitionException extends RuntimeException {
    private final String state;
    private final String field;

    public DefinitionException(String source, String state, String field, String message) {
        super(source + ": state " + state + (field == null ? "" : ": field " + field) + ": " + message);
        this.state = state;
        this.field = field;
    }

    /** The state's name, or {@code (top level)}. */
    public String state() {
        return state;
    }

    /** The offending field, or null when the state itself is the problem. */
    public String field() {
        return field;
    }
}
