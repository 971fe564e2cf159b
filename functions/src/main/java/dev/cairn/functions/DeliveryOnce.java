package dev.cairn.functions;

import dev.cairn.reconciler.store.DeliveryStore;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What every webhook flow does around its own work: a delivery is handled once (a redelivery is
 * answered 200 "duplicate" and starts nothing), and a delivery whose handling fails is forgotten
 * so that the sender's retry is handled again.
 */
public final class DeliveryOnce {

    /** The flow's own handling of a first delivery. */
    @FunctionalInterface
    public interface Handling {
        WebhookResponse handle() throws Exception;
    }

    private DeliveryOnce() {
    }

    /**
     * @param body            the response body so far; gets {@code outcome} and {@code message} for a duplicate
     * @param recordDuplicate audits the duplicate (the flow knows its own audit details)
     */
    public static WebhookResponse handle(DeliveryStore deliveries, String source, String deliveryId, Instant expiresAt,
                                         Map<String, Object> body, Runnable recordDuplicate, Handling first) throws Exception {
        if (!deliveries.firstSeen(source, deliveryId, expiresAt)) {
            recordDuplicate.run();
            body.put("outcome", "duplicate");
            body.put("message", "delivery " + deliveryId + " was handled before; nothing started");
            return new WebhookResponse(200, body);
        }
        try {
            return first.handle();
        } catch (Exception | Error e) {
            deliveries.forget(source, deliveryId);
            throw e;
        }
    }

    /**
     * The repository to fetch for an event: {@code CAIRN_REPO_URL} when configured (empty when the
     * event is about another repository), else the event's own clone URL.
     */
    public static Optional<String> fetchUrl(Optional<String> configuredRepoUrl, List<String> eventCloneUrls, String eventCloneUrl) {
        if (configuredRepoUrl.isEmpty()) return Optional.of(eventCloneUrl);
        var configured = configuredRepoUrl.get();
        return eventCloneUrls.stream().anyMatch(u -> PushFlow.sameRepo(u, configured)) ? configuredRepoUrl : Optional.empty();
    }
}
