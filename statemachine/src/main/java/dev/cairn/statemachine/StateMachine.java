package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A parsed and checked Amazon States Language definition. {@link #parse} refuses, at load time,
 * every state type, field, path form or intrinsic function outside the supported set, naming the
 * state and the field ({@link DefinitionException}); nothing in a definition is silently ignored.
 */
public final class StateMachine {
    private final JsonNode definition;

    private StateMachine(JsonNode definition) {
        this.definition = definition;
    }

    /**
     * @param json   the definition text (after any {@code DefinitionSubstitutions})
     * @param source where it came from, for messages ({@code statemachine/reconcile.asl.json})
     */
    public static StateMachine parse(String json, String source) {
        throw new UnsupportedOperationException("pinned API: implemented on branch asl");
    }

    public JsonNode definition() {
        return definition;
    }
}
