package dev.cairn.aws.store;

import dev.cairn.reconciler.store.BlobStore;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.util.Optional;

/** Blobs (plans, plan JSON, logs, bundles) as objects of one bucket, encrypted with SSE-KMS under {@code CAIRN_KMS_KEY_ID} when set. */
public final class S3BlobStore implements BlobStore {
    private final S3Client s3;
    private final String bucket;
    private final String kmsKeyId;

    /** @param kmsKeyId the SSE-KMS key, or {@code null} for the bucket's default encryption */
    public S3BlobStore(S3Client s3, String bucket, String kmsKeyId) {
        this.s3 = s3;
        this.bucket = bucket;
        this.kmsKeyId = kmsKeyId;
    }

    @Override
    public void put(String key, byte[] content) {
        var request = PutObjectRequest.builder().bucket(bucket).key(key);
        if (kmsKeyId != null && !kmsKeyId.isBlank()) request.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(kmsKeyId);
        s3.putObject(request.build(), RequestBody.fromBytes(content));
    }

    @Override
    public Optional<byte[]> get(String key) {
        try {
            return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    @Override
    public void delete(String key) {
        s3.deleteObject(b -> b.bucket(bucket).key(key));
    }
}
