/**
 * The core's stores on AWS: one DynamoDB table (single-table design, see {@link dev.cairn.aws.store.TableSchema}),
 * one S3 bucket and one KMS key, built from a function's environment by {@link dev.cairn.aws.store.AwsStores}.
 */
package dev.cairn.aws.store;
