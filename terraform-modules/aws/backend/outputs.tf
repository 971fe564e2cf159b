output "state_bucket" {
  description = "Name of the Terraform state bucket."
  value       = try(aws_s3_bucket.this[0].id, var.bucket_name)
}

output "state_bucket_arn" {
  description = "ARN of the Terraform state bucket."
  value       = try(aws_s3_bucket.this[0].arn, "arn:${local.partition}:s3:::${var.bucket_name}")
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting state, the lock table and generated secrets (null when reusing a bucket without `kms_key_arn`)."
  value       = local.kms_key_arn
}

output "kms_key_alias" {
  description = "Alias of the created KMS key."
  value       = try(aws_kms_alias.this[0].name, null)
}

output "lock_table_name" {
  description = "Name of the DynamoDB lock/metadata table (null when none)."
  value       = try(aws_dynamodb_table.this[0].name, local.lock_table_name)
}

output "lock_table_arn" {
  description = "ARN of the DynamoDB lock/metadata table."
  value       = try(aws_dynamodb_table.this[0].arn, null)
}

output "secrets" {
  description = "Secrets store in use: `secretsmanager` or `ssm`."
  value       = var.secrets
}

output "secrets_prefix" {
  description = "Prefix under which generated secrets are stored (a Secrets Manager name prefix, or an SSM path starting with `/`)."
  value       = local.secrets_prefix
}

output "secrets_policy_arn" {
  description = "ARN of an IAM policy granting read/write on the secrets under `secrets_prefix` and use of the KMS key."
  value       = try(aws_iam_policy.secrets[0].arn, null)
}
