# A team's own module: a database placed in the network's database subnets.
terraform {
  required_version = ">= 1.10"
}

variable "name" {
  description = "Database name."
  type        = string
}

variable "vpc_id" {
  description = "VPC."
  type        = string
}

variable "subnet_ids" {
  description = "Database subnets."
  type        = list(string)
}

variable "settings" {
  description = "Engine and size."
  type        = object({ engine = string, size = string })
}

resource "terraform_data" "this" {
  input = {
    name     = var.name
    vpc_id   = var.vpc_id
    subnets  = var.subnet_ids
    settings = var.settings
  }
}

output "endpoint" {
  description = "Connection endpoint."
  value       = "${var.name}.${var.settings.engine}.${substr(var.vpc_id, 4, 8)}.internal:5432"
}

output "size" {
  description = "Instance size."
  value       = var.settings.size
}
