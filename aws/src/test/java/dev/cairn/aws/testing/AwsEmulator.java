package dev.cairn.aws.testing;

import java.nio.file.Path;

/**
 * The AWS endpoint the adapter tests run against: a moto server on this machine (the default,
 * no Docker needed), or LocalStack in a container through Testcontainers where a Docker engine
 * exists ({@code ./mvnw verify -Plocalstack}, which sets {@code cairn.emulator=localstack} and
 * compiles {@code src/localstack/java}). Both serve DynamoDB, S3, KMS, Step Functions and
 * Secrets Manager on one endpoint.
 */
public interface AwsEmulator extends AutoCloseable {

    String endpoint();

    @Override
    void close();

    /** @param serialized moto only: one request at a time, so that conditional writes are atomic */
    static AwsEmulator start(Path logFile, boolean serialized) throws Exception {
        if ("localstack".equals(System.getProperty("cairn.emulator"))) {
            // compiled only by the localstack profile, so that the default build needs no Testcontainers
            return (AwsEmulator) Class.forName("dev.cairn.aws.testing.LocalStackEmulator").getMethod("start").invoke(null);
        }
        return serialized ? MotoServer.startSerialized(logFile) : MotoServer.start(logFile);
    }
}
