package dev.cairn.aws.secrets;

import dev.cairn.aws.secrets.WebhookSecrets.Kind;
import dev.cairn.aws.testing.AwsEmulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Webhook secrets: environment first, else Secrets Manager (moto), cached with a TTL, failing closed. */
class WebhookSecretsIT {
    @TempDir
    static Path tmp;
    static AwsEmulator moto;
    static SecretsManagerClient client;

    @BeforeAll
    static void start() throws Exception {
        moto = AwsEmulator.start(tmp.resolve("moto.log"), false);
        client = SecretsManagerClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) client.close();
        if (moto != null) moto.close();
    }

    /** A clock the test moves forward. */
    static final class StepClock extends Clock {
        Instant now = Instant.parse("2026-12-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void readsTheNamedSecretOnceUntilItsTtlEnds() {
        client.createSecret(b -> b.name("cairn/github-webhook").secretString("first-value"));
        var clock = new StepClock();
        var built = new AtomicInteger();
        var cache = CachedSecrets.secretsManager(() -> {
            built.incrementAndGet();
            return client;
        }, Duration.ofMinutes(5), clock);
        var secrets = new WebhookSecrets(Map.of(Kind.GITHUB_WEBHOOK_SECRET.nameVariable(), "cairn/github-webhook"), cache);

        assertThat(built).hasValue(0); // no client until a secret is asked for
        assertThat(secrets.get(Kind.GITHUB_WEBHOOK_SECRET)).contains("first-value");
        client.putSecretValue(b -> b.secretId("cairn/github-webhook").secretString("rotated-value"));
        clock.now = clock.now.plus(Duration.ofMinutes(4));
        assertThat(secrets.get(Kind.GITHUB_WEBHOOK_SECRET)).contains("first-value");
        clock.now = clock.now.plus(Duration.ofMinutes(2));
        assertThat(secrets.get(Kind.GITHUB_WEBHOOK_SECRET)).contains("rotated-value");
        assertThat(built).hasValue(1);
    }

    @Test
    void theValueVariableTakesPrecedenceAndNothingConfiguredIsEmpty() {
        client.createSecret(b -> b.name("cairn/gitlab-token").secretString("from-secrets-manager"));
        var cache = CachedSecrets.secretsManager(() -> client, Duration.ofMinutes(5));
        var both = new WebhookSecrets(Map.of(Kind.GITLAB_WEBHOOK_TOKEN.valueVariable(), "from-env",
                Kind.GITLAB_WEBHOOK_TOKEN.nameVariable(), "cairn/gitlab-token"), cache);
        assertThat(both.get(Kind.GITLAB_WEBHOOK_TOKEN)).contains("from-env");
        assertThat(new WebhookSecrets(Map.of(Kind.GITLAB_WEBHOOK_TOKEN.nameVariable(), "cairn/gitlab-token"), cache)
                .get(Kind.GITLAB_WEBHOOK_TOKEN)).contains("from-secrets-manager");
        assertThat(new WebhookSecrets(Map.of(), cache).get(Kind.GITHUB_WEBHOOK_SECRET)).isEmpty();
        assertThat(Kind.GIT_TOKEN.nameVariable()).isEqualTo("CAIRN_GIT_TOKEN_NAME");
    }

    @Test
    void aMissingSecretFailsWithItsNameAndNoValue() {
        var secrets = new WebhookSecrets(Map.of(Kind.GITHUB_WEBHOOK_SECRET.nameVariable(), "cairn/absent"),
                CachedSecrets.secretsManager(() -> client, Duration.ofMinutes(5)));
        assertThatThrownBy(() -> secrets.get(Kind.GITHUB_WEBHOOK_SECRET))
                .isInstanceOf(CachedSecrets.SecretUnavailableException.class)
                .hasMessageContaining("cairn/absent").hasMessageContaining("ResourceNotFoundException");
    }
}
