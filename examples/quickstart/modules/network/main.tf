# Stand-in for cairn://aws/network.
terraform {
  required_version = ">= 1.10"
}

variable "name" {
  description = "Infrastructure name."
  type        = string
}

variable "cidr" {
  description = "VPC CIDR."
  type        = string
}

variable "azs" {
  description = "Availability zones."
  type        = list(string)
}

variable "nat_gateway" {
  description = "none, single or per_az."
  type        = string
  default     = "single"
}

resource "terraform_data" "this" {
  input = {
    cidr = var.cidr
    azs  = var.azs
    nat  = var.nat_gateway
  }
}

locals {
  vpc_id = "vpc-${substr(sha1(terraform_data.this.id), 0, 12)}"
}

output "vpc_id" {
  description = "VPC id."
  value       = local.vpc_id
}

output "vpc_cidr" {
  description = "VPC CIDR."
  value       = var.cidr
}

output "azs" {
  description = "Availability zones."
  value       = var.azs
}

output "public_subnet_ids" {
  description = "Public subnets, one per AZ."
  value       = [for i, az in var.azs : "subnet-pub-${i}-${substr(local.vpc_id, 4, 6)}"]
}

output "private_subnet_ids" {
  description = "Private subnets, one per AZ."
  value       = [for i, az in var.azs : "subnet-prv-${i}-${substr(local.vpc_id, 4, 6)}"]
}

output "database_subnet_ids" {
  description = "Database subnets, one per AZ."
  value       = [for i, az in var.azs : "subnet-db-${i}-${substr(local.vpc_id, 4, 6)}"]
}
