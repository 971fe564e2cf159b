package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Pattern;

/** JSON value rules shared by Choice and the intrinsic functions. */
final class Values {
    /** RFC 3339 as Step Functions accepts it: an uppercase T, an offset or Z. */
    private static final Pattern TIMESTAMP = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})");

    /** Numbers compare by value (1 equals 1.0); everything else structurally. */
    static final Comparator<JsonNode> NUMERIC_AWARE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) return a.decimalValue().compareTo(b.decimalValue());
        return a.equals(b) ? 0 : 1;
    };

    private Values() {
    }

    static boolean equal(JsonNode a, JsonNode b) {
        return a.equals(NUMERIC_AWARE, b);
    }

    static Optional<Instant> timestamp(String text) {
        if (!TIMESTAMP.matcher(text).matches()) return Optional.empty();
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    static Optional<Instant> timestamp(JsonNode node) {
        return node.isTextual() ? timestamp(node.textValue()) : Optional.empty();
    }
}
