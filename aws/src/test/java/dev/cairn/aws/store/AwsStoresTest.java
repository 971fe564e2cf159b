package dev.cairn.aws.store;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AwsStoresTest {
    @Test
    void aMissingTableOrBucketOrRegionIsNamed() {
        assertThatThrownBy(() -> AwsStores.fromEnv(Map.of("CAIRN_BUCKET", "b", "AWS_REGION", "us-east-1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("CAIRN_TABLE is not set");
        assertThatThrownBy(() -> AwsStores.fromEnv(Map.of("CAIRN_TABLE", "t", "AWS_REGION", "us-east-1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("CAIRN_BUCKET is not set");
        assertThatThrownBy(() -> AwsStores.fromEnv(Map.of("CAIRN_TABLE", "t", "CAIRN_BUCKET", "b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("AWS_REGION is not set");
    }
}
