package dev.cairn.functions;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookSignaturesTest {
    // GitHub's documented example ("Validating webhook deliveries")
    private static final String SECRET = "It's a Secret to Everybody";
    private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.UTF_8);
    private static final String SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    @Test
    void githubsDocumentedExampleVerifies() {
        assertThat(WebhookSignatures.githubValid(SECRET, BODY, SIGNATURE)).isTrue();
        assertThat(WebhookSignatures.githubSignature(SECRET, BODY)).isEqualTo(SIGNATURE);
    }

    @Test
    void tamperedMissingMalformedAndSha1SignaturesFail() {
        assertThat(WebhookSignatures.githubValid(SECRET, "Hello, World?".getBytes(StandardCharsets.UTF_8), SIGNATURE)).isFalse();
        assertThat(WebhookSignatures.githubValid(SECRET, BODY, SIGNATURE.substring(0, SIGNATURE.length() - 1) + "f")).isFalse();
        assertThat(WebhookSignatures.githubValid("another secret", BODY, SIGNATURE)).isFalse();
        assertThat(WebhookSignatures.githubValid(SECRET, BODY, null)).isFalse();
        assertThat(WebhookSignatures.githubValid(SECRET, BODY, "sha256=not-hex")).isFalse();
        assertThat(WebhookSignatures.githubValid(SECRET, BODY, SIGNATURE.substring("sha256=".length()))).isFalse();
        assertThat(WebhookSignatures.githubValid(SECRET, BODY, "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59")).isFalse();
        assertThat(WebhookSignatures.githubValid("", BODY, SIGNATURE)).isFalse();
    }

    @Test
    void gitlabTokensCompareExactly() {
        assertThat(WebhookSignatures.gitlabValid("s3cret-token", "s3cret-token")).isTrue();
        assertThat(WebhookSignatures.gitlabValid("s3cret-token", "s3cret-tokeN")).isFalse();
        assertThat(WebhookSignatures.gitlabValid("s3cret-token", "s3cret-token ")).isFalse();
        assertThat(WebhookSignatures.gitlabValid("s3cret-token", "")).isFalse();
        assertThat(WebhookSignatures.gitlabValid("s3cret-token", null)).isFalse();
        assertThat(WebhookSignatures.gitlabValid("", "")).isFalse();
    }
}
