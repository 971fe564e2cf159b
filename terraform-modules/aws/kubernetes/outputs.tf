output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = try(local.cluster.name, local.cluster_name)
}

output "cluster_arn" {
  description = "ARN of the EKS cluster."
  value       = try(local.cluster.arn, null)
}

output "cluster_endpoint" {
  description = "Endpoint of the Kubernetes API server."
  value       = try(local.cluster.endpoint, null)
}

output "cluster_certificate_authority_data" {
  description = "Base64-encoded certificate authority data of the cluster."
  value       = try(local.cluster.certificate_authority[0].data, null)
}

output "cluster_version" {
  description = "Kubernetes version of the control plane."
  value       = try(local.cluster.version, null)
}

output "cluster_security_group_id" {
  description = "Security group EKS created for the control plane and nodes."
  value       = try(local.cluster.vpc_config[0].cluster_security_group_id, null)
}

output "oidc_issuer_url" {
  description = "OIDC issuer URL of the cluster (https://...)."
  value       = local.oidc_issuer
}

output "oidc_provider_arn" {
  description = "ARN of the IAM OIDC provider for IRSA."
  value       = local.oidc_provider_arn
}

output "node_role_arn" {
  description = "ARN of the IAM role of the managed node groups."
  value       = try(aws_iam_role.node[0].arn, var.node_role_arn)
}

output "cluster_role_arn" {
  description = "ARN of the cluster IAM role."
  value       = try(aws_iam_role.cluster[0].arn, local.cluster.role_arn, null)
}

output "kms_key_arn" {
  description = "KMS key encrypting Kubernetes secrets (null when disabled)."
  value       = local.kms_key_arn
}

output "node_groups" {
  description = "Managed node groups by name: ARN and status."
  value       = { for k, v in aws_eks_node_group.this : k => { arn = v.arn, status = v.status } }
}
