package dev.cairn.aws.store;

import dev.cairn.aws.testing.AwsEmulator;

import java.nio.file.Files;
import java.util.Map;

/**
 * One moto server, one table, one bucket and one KMS key for every store contract suite of the
 * IT run (the suites use names of their own, so they share them safely). Started on first use,
 * stopped when the test JVM exits. The table is made here with {@link Tables#create}: these are
 * store tests, not deploy tests.
 */
final class MotoStores {
    private static AwsStores stores;

    private MotoStores() {
    }

    static synchronized AwsStores get() throws Exception {
        if (stores != null) return stores;
        var log = Files.createTempFile("moto-stores", ".log");
        // one request at a time: moto's threaded server does not make conditional writes atomic
        var moto = AwsEmulator.start(log, true);
        var env = Map.of("AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL", moto.endpoint(),
                "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test");
        var clients = AwsStores.Clients.fromEnv(env);
        Tables.create(clients.dynamo(), "cairn-test");
        clients.s3().createBucket(b -> b.bucket("cairn-test-blobs"));
        var keyId = clients.kms().createKey(b -> b.description("cairn store tests")).keyMetadata().keyId();
        clients.dynamo().close();
        clients.s3().close();
        clients.kms().close();

        var withStores = new java.util.HashMap<>(env);
        withStores.put(AwsStores.TABLE, "cairn-test");
        withStores.put(AwsStores.BUCKET, "cairn-test-blobs");
        withStores.put(AwsStores.KMS_KEY_ID, keyId);
        stores = AwsStores.fromEnv(withStores);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stores.close();
            moto.close();
        }));
        return stores;
    }
}
