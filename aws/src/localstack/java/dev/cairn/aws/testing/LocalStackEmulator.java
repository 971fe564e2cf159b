package dev.cairn.aws.testing;

import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/** LocalStack in a container (Testcontainers), for {@code -Plocalstack} where a Docker engine runs. */
public final class LocalStackEmulator implements AwsEmulator {
    static final DockerImageName IMAGE = DockerImageName.parse(System.getProperty("cairn.localstack.image", "localstack/localstack:4.4"));

    private final LocalStackContainer container;

    private LocalStackEmulator(LocalStackContainer container) {
        this.container = container;
    }

    public static LocalStackEmulator start() {
        var container = new LocalStackContainer(IMAGE).withServices(LocalStackContainer.Service.DYNAMODB,
                LocalStackContainer.Service.S3, LocalStackContainer.Service.KMS, LocalStackContainer.Service.STEPFUNCTIONS,
                LocalStackContainer.Service.SECRETSMANAGER);
        container.start();
        return new LocalStackEmulator(container);
    }

    @Override
    public String endpoint() {
        return container.getEndpoint().toString();
    }

    @Override
    public void close() {
        container.stop();
    }
}
