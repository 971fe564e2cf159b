data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  create_kms_key    = var.create && var.kms_key_arn == null
  create_lock_table = var.create && var.create_lock_table

  bucket_name     = coalesce(var.bucket_name, lower("${var.name}-cairn-state-${local.account_id}"))
  lock_table_name = var.create ? coalesce(var.lock_table_name, "${var.name}-cairn-locks") : var.lock_table_name
  kms_key_arn     = local.create_kms_key ? aws_kms_key.this[0].arn : var.kms_key_arn

  secrets_prefix = coalesce(
    var.secrets_prefix,
    var.secrets == "ssm" ? "/cairn/${var.name}/" : "cairn/${var.name}/",
  )
  # ARN pattern matching every secret under the prefix, used by the access policy.
  secrets_arn_pattern = (var.secrets == "ssm"
    ? "arn:${local.partition}:ssm:*:${local.account_id}:parameter/${trimprefix(local.secrets_prefix, "/")}*"
    : "arn:${local.partition}:secretsmanager:*:${local.account_id}:secret:${local.secrets_prefix}*"
  )
}

################################################################################
# KMS key (state, lock table and secrets encryption)
################################################################################

resource "aws_kms_key" "this" {
  count = local.create_kms_key ? 1 : 0

  description             = "Cairn ${var.name}: Terraform state and generated secrets"
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  enable_key_rotation     = true

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  count = local.create_kms_key ? 1 : 0

  name          = "alias/cairn/${var.name}"
  target_key_id = aws_kms_key.this[0].key_id
}

################################################################################
# State bucket
################################################################################

resource "aws_s3_bucket" "this" {
  count = var.create ? 1 : 0

  bucket        = local.bucket_name
  force_destroy = var.force_destroy

  tags = var.tags
}

resource "aws_s3_bucket_ownership_controls" "this" {
  count = var.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  count = var.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  count = var.create && var.versioning ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  count = var.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = local.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count = var.create && var.versioning && var.noncurrent_version_expiration_days > 0 ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  rule {
    id     = "expire-noncurrent-state-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  # Lifecycle rules act on versions, so versioning must be on first.
  depends_on = [aws_s3_bucket_versioning.this]
}

data "aws_iam_policy_document" "bucket" {
  count = var.create && var.enforce_tls ? 1 : 0

  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.this[0].arn,
      "${aws_s3_bucket.this[0].arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  count = var.create && var.enforce_tls ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  policy = data.aws_iam_policy_document.bucket[0].json

  # A bucket policy can be rejected while the public access block is still being applied.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

################################################################################
# Lock / metadata table
################################################################################

resource "aws_dynamodb_table" "this" {
  count = local.create_lock_table ? 1 : 0

  name         = local.lock_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "LockID"

  attribute {
    name = "LockID"
    type = "S"
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = local.kms_key_arn
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  deletion_protection_enabled = !var.force_destroy

  tags = var.tags
}

################################################################################
# Secrets location: a policy granting read/write on everything under the prefix
################################################################################

data "aws_iam_policy_document" "secrets" {
  count = var.create ? 1 : 0

  statement {
    sid = "SecretsUnderPrefix"
    actions = var.secrets == "ssm" ? [
      "ssm:GetParameter",
      "ssm:GetParameters",
      "ssm:GetParametersByPath",
      "ssm:PutParameter",
      "ssm:DeleteParameter",
      "ssm:AddTagsToResource",
      "ssm:ListTagsForResource",
      ] : [
      "secretsmanager:CreateSecret",
      "secretsmanager:DescribeSecret",
      "secretsmanager:GetSecretValue",
      "secretsmanager:PutSecretValue",
      "secretsmanager:UpdateSecret",
      "secretsmanager:DeleteSecret",
      "secretsmanager:TagResource",
    ]
    resources = [local.secrets_arn_pattern]
  }

  dynamic "statement" {
    for_each = local.create_kms_key || var.kms_key_arn != null ? [local.kms_key_arn] : []

    content {
      sid       = "UseTheKey"
      actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_policy" "secrets" {
  count = var.create ? 1 : 0

  name        = "cairn-${var.name}-secrets"
  description = "Read and write Cairn ${var.name} generated secrets under ${local.secrets_prefix}"
  policy      = data.aws_iam_policy_document.secrets[0].json

  tags = var.tags
}
