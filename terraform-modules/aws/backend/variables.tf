variable "create" {
  description = "Create the state bucket, KMS key and lock table. Set to false to reuse an existing bucket named by `bucket_name`."
  type        = bool
  default     = true
}

variable "name" {
  description = "Infrastructure name (passed by Cairn). Used to derive resource names and the secrets prefix."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource (Cairn passes `spec.tags` plus `cairn:infrastructure`)."
  type        = map(string)
  default     = {}
}

variable "bucket_name" {
  description = "Name of the state bucket. Defaults to `<name>-cairn-state-<account id>` when creating; required when `create = false`."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)."
  }
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete the state bucket with all object versions in it. Keep false outside of throw-away environments."
  type        = bool
  default     = false
}

variable "enforce_tls" {
  description = "Attach a bucket policy denying every request not made over TLS. Only turn off for emulators that cannot evaluate it (moto denies every object request once it is set)."
  type        = bool
  default     = true
}

variable "secrets" {
  description = "Where generated secrets (for example the Keycloak admin password) are kept: `secretsmanager` or `ssm` (SSM Parameter Store SecureString)."
  type        = string
  default     = "secretsmanager"

  validation {
    condition     = contains(["secretsmanager", "ssm"], var.secrets)
    error_message = "secrets must be \"secretsmanager\" or \"ssm\"."
  }
}

variable "secrets_prefix" {
  description = "Prefix of the secrets location. Defaults to `cairn/<name>/` for Secrets Manager and `/cairn/<name>/` for SSM."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "KMS key to use instead of creating one (always used as-is when `create = false`)."
  type        = string
  default     = null
}

variable "kms_key_deletion_window_in_days" {
  description = "Waiting period before the created KMS key is deleted."
  type        = number
  default     = 30
}

variable "lock_table_name" {
  description = "Name of the DynamoDB lock/metadata table. Defaults to `<name>-cairn-locks` when creating; pass the existing table's name when `create = false`."
  type        = string
  default     = null
}

variable "create_lock_table" {
  description = "Create the DynamoDB lock/metadata table (only when `create = true`)."
  type        = bool
  default     = true
}

variable "versioning" {
  description = "Keep every version of the state objects (recommended). Emulators that cannot empty a versioned bucket (moto 5.2) need false."
  type        = bool
  default     = true
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which non-current state object versions are deleted. Set to 0 to keep them forever."
  type        = number
  default     = 90
}

variable "point_in_time_recovery" {
  description = "Enable point-in-time recovery on the lock/metadata table."
  type        = bool
  default     = true
}
