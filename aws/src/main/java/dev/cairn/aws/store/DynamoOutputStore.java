package dev.cairn.aws.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.store.OutputStore;
import dev.cairn.reconciler.store.StageOutputs;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static dev.cairn.aws.store.Attributes.s;

/**
 * Stage outputs as items {@code INFRA#<infra> / OUTPUT#<stage>}. Plain values are JSON in
 * {@code outputs}; sensitive ones appear there only by name ({@code {"sensitive": true}}) and
 * their values are sealed with envelope encryption: a KMS data key (generated under
 * {@code CAIRN_KMS_KEY_ID} with the encryption context {@code infrastructure} + {@code stage})
 * encrypts them with AES-256-GCM in {@code sealed} (IV + ciphertext), the KMS-encrypted data key
 * sits in {@code dataKey}. So no secret is ever in clear in DynamoDB, and an item copied to
 * another infrastructure or stage does not decrypt. Envelope rather than direct KMS encryption
 * because KMS encrypts at most 4 KB and a kubeconfig or a certificate chain can be larger.
 */
public final class DynamoOutputStore implements OutputStore {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int IV_BYTES = 12;

    private final DynamoDbClient dynamo;
    private final KmsClient kms;
    private final String table;
    private final String kmsKeyId;

    /** @param kmsKeyId the key sensitive values are sealed under; {@code null}: storing a sensitive value is refused */
    public DynamoOutputStore(DynamoDbClient dynamo, KmsClient kms, String table, String kmsKeyId) {
        this.dynamo = dynamo;
        this.kms = kms;
        this.table = table;
        this.kmsKeyId = kmsKeyId;
    }

    /** How a value is written in the {@code outputs} attribute: sensitive ones without their value. */
    record Stored(Object value, boolean sensitive) {
    }

    @Override
    public void put(String infrastructure, StageOutputs outputs) {
        var listed = new LinkedHashMap<String, Stored>();
        var secret = new LinkedHashMap<String, Object>();
        outputs.values().forEach((name, output) -> {
            listed.put(name, output.sensitive() ? new Stored(null, true) : new Stored(output.value(), false));
            if (output.sensitive()) secret.put(name, output.value());
        });
        var item = new HashMap<>(key(infrastructure, outputs.stage()));
        item.put(TableSchema.KIND, s("output"));
        item.put("stage", s(outputs.stage()));
        if (outputs.runId() != null) item.put("runId", s(outputs.runId()));
        if (outputs.appliedAt() != null) item.put("appliedAt", s(outputs.appliedAt().toString()));
        item.put("outputs", s(json(listed)));
        if (!secret.isEmpty()) seal(infrastructure, outputs.stage(), secret, item);
        dynamo.putItem(b -> b.tableName(table).item(item));
    }

    @Override
    public Optional<StageOutputs> get(String infrastructure, String stage) {
        var item = dynamo.getItem(b -> b.tableName(table).consistentRead(true).key(key(infrastructure, stage))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(parse(infrastructure, item));
    }

    @Override
    public Map<String, StageOutputs> all(String infrastructure) {
        var out = new TreeMap<String, StageOutputs>();
        var pages = dynamo.queryPaginator(b -> b.tableName(table).consistentRead(true)
                .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                .expressionAttributeValues(Map.of(":pk", s(TableSchema.infraKey(infrastructure)), ":prefix", s(TableSchema.OUTPUT_PREFIX))));
        pages.items().forEach(item -> {
            var outputs = parse(infrastructure, item);
            out.put(outputs.stage(), outputs);
        });
        return out;
    }

    @Override
    public void delete(String infrastructure, String stage) {
        dynamo.deleteItem(b -> b.tableName(table).key(key(infrastructure, stage)));
    }

    private static Map<String, AttributeValue> key(String infrastructure, String stage) {
        return Attributes.key(TableSchema.infraKey(infrastructure), TableSchema.outputKey(stage));
    }

    private static Map<String, String> context(String infrastructure, String stage) {
        return Map.of("infrastructure", infrastructure, "stage", stage);
    }

    private static byte[] aad(String infrastructure, String stage) {
        return (infrastructure + "\u0000" + stage).getBytes(StandardCharsets.UTF_8);
    }

    private void seal(String infrastructure, String stage, Map<String, Object> secret, Map<String, AttributeValue> item) {
        if (kmsKeyId == null || kmsKeyId.isBlank()) {
            throw new IllegalStateException("stage `" + stage + "` of `" + infrastructure + "` has sensitive outputs, which are stored"
                    + " only encrypted, and no KMS key is configured: set CAIRN_KMS_KEY_ID");
        }
        var dataKey = kms.generateDataKey(b -> b.keyId(kmsKeyId).keySpec(DataKeySpec.AES_256)
                .encryptionContext(context(infrastructure, stage)));
        var plainKey = dataKey.plaintext().asByteArray();
        var plain = json(secret).getBytes(StandardCharsets.UTF_8);
        try {
            var iv = new byte[IV_BYTES];
            RANDOM.nextBytes(iv);
            var cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(plainKey, "AES"), new GCMParameterSpec(128, iv));
            cipher.updateAAD(aad(infrastructure, stage));
            var sealed = cipher.doFinal(plain);
            item.put("sealed", AttributeValue.fromB(SdkBytes.fromByteArray(ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array())));
            item.put("dataKey", AttributeValue.fromB(dataKey.ciphertextBlob()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        } finally {
            Arrays.fill(plainKey, (byte) 0);
            Arrays.fill(plain, (byte) 0);
        }
    }

    private Map<String, Object> unseal(String infrastructure, String stage, Map<String, AttributeValue> item) {
        var sealed = item.get("sealed");
        var dataKey = item.get("dataKey");
        if (sealed == null || dataKey == null) {
            throw new IllegalStateException("the outputs of stage `" + stage + "` of `" + infrastructure
                    + "` list sensitive values but hold no sealed data");
        }
        var plainKey = kms.decrypt(b -> b.ciphertextBlob(dataKey.b()).encryptionContext(context(infrastructure, stage)))
                .plaintext().asByteArray();
        try {
            var bytes = sealed.b().asByteArray();
            var cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(plainKey, "AES"), new GCMParameterSpec(128, bytes, 0, IV_BYTES));
            cipher.updateAAD(aad(infrastructure, stage));
            var plain = cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES);
            return Json.MAPPER.readValue(plain, new TypeReference<LinkedHashMap<String, Object>>() {
            });
        } catch (GeneralSecurityException e) {
            // never the values or the key in the message
            throw new IllegalStateException("the sensitive outputs of stage `" + stage + "` of `" + infrastructure
                    + "` do not decrypt (the item was altered or moved)", e);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the sensitive outputs of stage `" + stage + "` of `" + infrastructure + "` do not parse");
        } finally {
            Arrays.fill(plainKey, (byte) 0);
        }
    }

    private StageOutputs parse(String infrastructure, Map<String, AttributeValue> item) {
        var stage = Attributes.string(item, "stage");
        Map<String, Stored> listed;
        try {
            listed = Json.MAPPER.readValue(Attributes.string(item, "outputs"), new TypeReference<LinkedHashMap<String, Stored>>() {
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the outputs of stage `" + stage + "` of `" + infrastructure + "` do not parse: " + e.getOriginalMessage(), e);
        }
        var secret = listed.values().stream().anyMatch(Stored::sensitive) ? unseal(infrastructure, stage, item) : Map.<String, Object>of();
        var values = new LinkedHashMap<String, StageOutputs.Output>();
        listed.forEach((name, stored) -> values.put(name,
                stored.sensitive() ? new StageOutputs.Output(secret.get(name), true) : new StageOutputs.Output(stored.value(), false)));
        return new StageOutputs(stage, Attributes.string(item, "runId"), Attributes.instant(item, "appliedAt"), values);
    }

    private static String json(Object value) {
        try {
            return DynamoRunStore.COMPACT.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            // the message of a serialization failure can quote a value: keep it out
            throw new IllegalStateException("outputs do not serialize to JSON");
        }
    }
}
