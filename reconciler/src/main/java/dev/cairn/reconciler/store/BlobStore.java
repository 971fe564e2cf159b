package dev.cairn.reconciler.store;

import java.util.Optional;

/** Keyed bytes: saved plans, plan JSON, stage logs, bundles. An S3 bucket in AWS, a folder locally. */
public interface BlobStore {
    void put(String key, byte[] content);

    Optional<byte[]> get(String key);

    void delete(String key);
}
