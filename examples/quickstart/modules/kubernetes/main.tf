# Stand-in for cairn://aws/kubernetes. subnet_ids must arrive as a list: Cairn keeps the type
# of a value that is a single template reference.
terraform {
  required_version = ">= 1.10"
}

variable "cluster_name" {
  description = "Cluster name."
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes version."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the cluster (wired from network.vpc_id)."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets (wired from network.private_subnet_ids)."
  type        = list(string)
}

variable "node_groups" {
  description = "Managed node groups."
  type = list(object({
    name           = string
    instance_types = list(string)
    min_size       = number
    max_size       = number
    desired_size   = number
  }))
  default = []
}

resource "terraform_data" "this" {
  input = {
    name    = var.cluster_name
    version = var.kubernetes_version
    vpc_id  = var.vpc_id
    subnets = var.subnet_ids
    nodes   = sum([for g in var.node_groups : g.desired_size])
  }
}

output "cluster_name" {
  description = "Cluster name."
  value       = terraform_data.this.output.name
}

output "cluster_arn" {
  description = "Cluster ARN."
  value       = "arn:aws:eks:eu-west-1:000000000000:cluster/${var.cluster_name}"
}

output "cluster_endpoint" {
  description = "API server endpoint."
  value       = "https://${substr(sha1(terraform_data.this.id), 0, 16)}.eks.example"
}

output "cluster_certificate_authority_data" {
  description = "Cluster CA."
  value       = base64encode("ca-for-${var.cluster_name}")
}

output "oidc_provider_arn" {
  description = "OIDC provider for IRSA."
  value       = "arn:aws:iam::000000000000:oidc-provider/${var.cluster_name}"
}

output "oidc_issuer_url" {
  description = "OIDC issuer."
  value       = "https://oidc.example/${var.cluster_name}"
}

output "node_role_arn" {
  description = "Node IAM role."
  value       = "arn:aws:iam::000000000000:role/${var.cluster_name}-nodes"
}

output "node_count" {
  description = "Desired nodes across groups."
  value       = terraform_data.this.output.nodes
}

output "subnet_count" {
  description = "How many subnets the cluster got (proves the list arrived as a list)."
  value       = length(var.subnet_ids)
}
