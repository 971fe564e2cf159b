package dev.cairn.aws.secrets;

import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Secrets Manager values cached for a container's life, each re-read after {@code ttl} so that a
 * rotated secret is picked up without a redeploy. The client is built on first use, so a function
 * whose secrets all come from environment variables never pays for it at cold start.
 *
 * <p>Errors never carry the value: a failed read names the secret and the SDK's error code only.
 */
public final class CachedSecrets {
    /** Secrets Manager's {@code GetSecretValue}, or a test's loader. */
    @FunctionalInterface
    public interface Loader {
        String load(String secretName);
    }

    private record Cached(String value, Instant expires) {
    }

    private final Loader loader;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public CachedSecrets(Loader loader, Duration ttl, Clock clock) {
        this.loader = loader;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Reads {@code SecretString} with a client made by {@code client} on first use. */
    public static CachedSecrets secretsManager(Supplier<SecretsManagerClient> client, Duration ttl) {
        return secretsManager(client, ttl, Clock.systemUTC());
    }

    /** As {@link #secretsManager(Supplier, Duration)}, on {@code clock}'s time. */
    public static CachedSecrets secretsManager(Supplier<SecretsManagerClient> client, Duration ttl, Clock clock) {
        var lazy = new LazyClient(client);
        return new CachedSecrets(name -> {
            try {
                var value = lazy.get().getSecretValue(b -> b.secretId(name)).secretString();
                if (value == null) throw new SecretUnavailableException("secret " + name + " has no SecretString (binary secrets are not supported)");
                return value;
            } catch (software.amazon.awssdk.awscore.exception.AwsServiceException e) {
                throw new SecretUnavailableException("cannot read secret " + name + " from Secrets Manager: "
                        + e.awsErrorDetails().errorCode() + " (HTTP " + e.statusCode() + ")");
            } catch (software.amazon.awssdk.core.exception.SdkClientException e) {
                throw new SecretUnavailableException("cannot reach Secrets Manager for secret " + name + ": " + e.getClass().getSimpleName());
            }
        }, ttl, clock);
    }

    /** The secret's value, from the cache while it is fresh. */
    public String get(String secretName) {
        var now = clock.instant();
        var cached = cache.get(secretName);
        if (cached != null && now.isBefore(cached.expires())) return cached.value();
        var value = loader.load(secretName);
        cache.put(secretName, new Cached(value, now.plus(ttl)));
        return value;
    }

    private static final class LazyClient {
        private final Supplier<SecretsManagerClient> factory;
        private SecretsManagerClient client;

        LazyClient(Supplier<SecretsManagerClient> factory) {
            this.factory = factory;
        }

        synchronized SecretsManagerClient get() {
            if (client == null) client = factory.get();
            return client;
        }
    }

    /** A secret that is configured but cannot be read. The message never holds a value. */
    public static final class SecretUnavailableException extends RuntimeException {
        public SecretUnavailableException(String message) {
            super(message);
        }
    }
}
