package dev.cairn.functions;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Webhook authenticity, checked before a body is parsed, in constant time: GitHub's
 * {@code X-Hub-Signature-256} (HMAC-SHA256 of the raw body, {@code sha256=HEX}) and GitLab's
 * {@code X-Gitlab-Token} (a shared token). A sha1-only {@code X-Hub-Signature} is not accepted.
 */
public final class WebhookSignatures {
    private static final String PREFIX = "sha256=";

    private WebhookSignatures() {
    }

    /** @param header the {@code X-Hub-Signature-256} value, or {@code null} when absent */
    public static boolean githubValid(String secret, byte[] body, String header) {
        if (secret == null || secret.isEmpty() || header == null || !header.startsWith(PREFIX)) return false;
        byte[] given;
        try {
            given = HexFormat.of().parseHex(header.substring(PREFIX.length()).strip());
        } catch (IllegalArgumentException notHex) {
            return false;
        }
        return MessageDigest.isEqual(hmacSha256(secret, body), given);
    }

    /** The {@code sha256=HEX} header value GitHub would send for {@code body}. */
    public static String githubSignature(String secret, byte[] body) {
        return PREFIX + HexFormat.of().formatHex(hmacSha256(secret, body));
    }

    /** @param header the {@code X-Gitlab-Token} value, or {@code null} when absent */
    public static boolean gitlabValid(String token, String header) {
        if (token == null || token.isEmpty() || header == null) return false;
        // digests have one length, so the comparison's time says nothing about the token's length either
        return MessageDigest.isEqual(sha256(token), sha256(header));
    }

    private static byte[] hmacSha256(String secret, byte[] body) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
