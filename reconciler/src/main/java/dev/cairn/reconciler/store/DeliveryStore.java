package dev.cairn.reconciler.store;

import java.time.Instant;

/**
 * Webhook deliveries already handled, so that a redelivery starts nothing. One conditional write
 * (create-if-absent) per delivery; entries expire at {@code expiresAt} (a DynamoDB TTL in AWS).
 */
public interface DeliveryStore {

    /**
     * Records the delivery if it was never seen.
     *
     * @param source     where it came from: {@code github}, {@code gitlab}, {@code slack}
     * @param deliveryId the sender's delivery id
     * @return {@code true} the first time, {@code false} for a delivery seen before
     */
    boolean firstSeen(String source, String deliveryId, Instant expiresAt);

    /**
     * Forgets a delivery whose handling failed before anything was started, so that the sender's
     * redelivery is handled instead of being taken for a duplicate.
     */
    void forget(String source, String deliveryId);
}
