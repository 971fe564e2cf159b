package dev.cairn.chatops;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Slack's request signature, checked before Bolt sees the request: {@code v0=HMAC-SHA256(secret,
 * "v0:" + timestamp + ":" + body)} compared in constant time, and a timestamp within
 * {@link #WINDOW} of now in BOTH directions (Bolt for Java compares with {@code String.equals} and
 * accepts any future timestamp). Bodies over {@link #MAX_BODY_BYTES} are refused before hashing.
 */
public final class SlackSignature {
    public static final Duration WINDOW = Duration.ofSeconds(300);
    /** Slash commands and interactivity payloads are a few KB; 64 KiB leaves room and bounds the work. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    public static final String TIMESTAMP_HEADER = "x-slack-request-timestamp";
    public static final String SIGNATURE_HEADER = "x-slack-signature";

    private final byte[] secret;
    private final Clock clock;

    public SlackSignature(String signingSecret, Clock clock) {
        if (signingSecret == null || signingSecret.isBlank()) throw new IllegalArgumentException("the Slack signing secret is empty");
        this.secret = signingSecret.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    /** @return why the request is refused, or empty when it is Slack's */
    public Optional<String> problem(String timestamp, String signature, String body) {
        if (timestamp == null || timestamp.isBlank()) return Optional.of("missing X-Slack-Request-Timestamp");
        if (signature == null || signature.isBlank()) return Optional.of("missing X-Slack-Signature");
        if (body == null) body = "";
        if (body.getBytes(StandardCharsets.UTF_8).length > MAX_BODY_BYTES) return Optional.of("body over " + MAX_BODY_BYTES + " bytes");
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            return Optional.of("X-Slack-Request-Timestamp is not a number");
        }
        var skew = Math.abs(clock.instant().getEpochSecond() - seconds);
        if (skew > WINDOW.toSeconds()) return Optional.of("timestamp outside the 300 s window (" + skew + " s off)");
        var expected = sign(timestamp.strip(), body).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signature.strip().getBytes(StandardCharsets.US_ASCII))) {
            return Optional.of("signature does not match");
        }
        return Optional.empty();
    }

    /** The {@code v0=...} signature of a request (what Slack sends; the tests sign with it). */
    public String sign(String timestamp, String body) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return "v0=" + HexFormat.of().formatHex(mac.doFinal(("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
