package dev.cairn.aws.store;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.Map;

/** Small helpers to read and write DynamoDB attribute values. */
final class Attributes {
    private Attributes() {
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of(TableSchema.PK, s(pk), TableSchema.SK, s(sk));
    }

    static String string(Map<String, AttributeValue> item, String name) {
        var v = item.get(name);
        return v == null || v.s() == null ? null : v.s();
    }

    static long number(Map<String, AttributeValue> item, String name) {
        var v = item.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }

    static Instant instant(Map<String, AttributeValue> item, String name) {
        var v = string(item, name);
        return v == null ? null : Instant.parse(v);
    }
}
