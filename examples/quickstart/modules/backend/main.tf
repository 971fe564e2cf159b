# Stand-in for cairn://aws/backend: same variables and outputs, no cloud.
terraform {
  required_version = ">= 1.10"
}

variable "name" {
  description = "Infrastructure name."
  type        = string
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "bucket_name" {
  description = "State bucket name."
  type        = string
}

resource "terraform_data" "this" {
  input = {
    bucket = var.bucket_name
    tags   = var.tags
  }
}

output "state_bucket" {
  description = "State bucket name."
  value       = terraform_data.this.output.bucket
}

output "state_bucket_arn" {
  description = "State bucket ARN."
  value       = "arn:aws:s3:::${terraform_data.this.output.bucket}"
}

output "kms_key_arn" {
  description = "KMS key for state and secrets."
  value       = "arn:aws:kms:eu-west-1:000000000000:key/${terraform_data.this.id}"
}

output "lock_table_name" {
  description = "Lock and metadata table."
  value       = "${var.name}-cairn-locks"
}

output "secrets_prefix" {
  description = "Where generated secrets live."
  value       = "/cairn/${var.name}/"
}
