package dev.cairn.functions.pr;

import dev.cairn.aws.store.AwsStores;
import dev.cairn.aws.store.DynamoThreadStore;
import dev.cairn.aws.store.Tables;
import dev.cairn.aws.testing.MotoServer;
import dev.cairn.reconciler.store.ThreadStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/** The merge links on DynamoDB (moto), one server for the class, a table per test. */
class MergeLinksAwsIT extends MergeLinksContract {
    @TempDir
    static Path tmp;
    static MotoServer moto;
    static AwsStores stores;

    @BeforeAll
    static void start() throws Exception {
        moto = MotoServer.startSerialized(tmp.resolve("moto.log"));
        stores = AwsStores.fromEnv(Map.of("AWS_ENDPOINT_URL", moto.endpoint(), "AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "test",
                "AWS_SECRET_ACCESS_KEY", "test", AwsStores.TABLE, "cairn-links", AwsStores.BUCKET, "cairn-links-blobs"));
    }

    @AfterAll
    static void stop() {
        if (stores != null) stores.close();
        if (moto != null) moto.close();
    }

    @Override
    protected ThreadStore newStore() {
        var table = "cairn-links-" + UUID.randomUUID().toString().substring(0, 8);
        Tables.create(stores.dynamo(), table);
        return new DynamoThreadStore(stores.dynamo(), table);
    }
}
