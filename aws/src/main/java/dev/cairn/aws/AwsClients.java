package dev.cairn.aws;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

import java.net.URI;
import java.util.Map;

/**
 * AWS SDK clients configured from an environment map rather than the process's, so that
 * {@code cairn invoke} can run a handler in-process with a template's variables; shared by the
 * stores, the handlers and the CLI. Region
 * ({@code AWS_REGION}, {@code AWS_DEFAULT_REGION}), endpoint ({@code AWS_ENDPOINT_URL}, e.g. an
 * emulator) and, when given, static credentials; otherwise the SDK's default chain.
 */
public final class AwsClients {
    private final Map<String, String> env;

    public AwsClients(Map<String, String> env) {
        this.env = env;
    }

    public <B extends AwsClientBuilder<B, C> & SdkSyncClientBuilder<B, C>, C> C build(B builder) {
        var region = region();
        if (region != null) builder.region(Region.of(region));
        var endpoint = first("AWS_ENDPOINT_URL");
        if (endpoint != null) builder.endpointOverride(URI.create(endpoint));
        builder.credentialsProvider(credentials());
        builder.httpClientBuilder(UrlConnectionHttpClient.builder());
        return builder.build();
    }

    private AwsCredentialsProvider credentials() {
        var key = first("AWS_ACCESS_KEY_ID");
        var secret = first("AWS_SECRET_ACCESS_KEY");
        if (key == null || secret == null) return DefaultCredentialsProvider.builder().build();
        var session = first("AWS_SESSION_TOKEN");
        return StaticCredentialsProvider.create(session == null
                ? AwsBasicCredentials.create(key, secret)
                : AwsSessionCredentials.create(key, secret, session));
    }

    /** The region the map names ({@code AWS_REGION}, else {@code AWS_DEFAULT_REGION}), or null. */
    public String region() {
        return first("AWS_REGION", "AWS_DEFAULT_REGION");
    }

    /** Whether the map points the clients at another endpoint (an emulator): S3 then needs path-style. */
    public boolean endpointOverridden() {
        return first("AWS_ENDPOINT_URL") != null;
    }

    private String first(String... names) {
        for (var name : names) {
            var value = env.get(name);
            if (value != null && !value.isBlank()) return value.strip();
        }
        return null;
    }
}
