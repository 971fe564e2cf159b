package dev.cairn.aws.store;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;

/**
 * Creates Cairn's table exactly as {@link TableSchema} describes it, for store tests and machines
 * with no stack. A deployment gets its table from the SAM template, never from here.
 */
public final class Tables {
    private Tables() {
    }

    public static void create(DynamoDbClient dynamo, String name) {
        dynamo.createTable(b -> b.tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName(TableSchema.PK).attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName(TableSchema.SK).attributeType(ScalarAttributeType.S).build())
                .keySchema(
                        KeySchemaElement.builder().attributeName(TableSchema.PK).keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName(TableSchema.SK).keyType(KeyType.RANGE).build()));
        dynamo.waiter().waitUntilTableExists(b -> b.tableName(name));
        dynamo.updateTimeToLive(b -> b.tableName(name).timeToLiveSpecification(
                TimeToLiveSpecification.builder().attributeName(TableSchema.EXPIRES_AT).enabled(true).build()));
    }
}
