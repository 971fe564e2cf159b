# Stand-in for cairn://aws/domain.
terraform {
  required_version = ">= 1.10"
}

variable "domain_name" {
  description = "DNS zone name."
  type        = string
}

resource "terraform_data" "this" {
  input = var.domain_name
}

output "zone_id" {
  description = "Hosted zone id."
  value       = "Z${upper(substr(sha1(terraform_data.this.id), 0, 12))}"
}

output "domain_name" {
  description = "Zone name."
  value       = terraform_data.this.output
}

output "name_servers" {
  description = "Name servers of the zone."
  value       = ["ns-1.${var.domain_name}", "ns-2.${var.domain_name}"]
}

output "certificate_arn" {
  description = "Wildcard certificate."
  value       = null
}
