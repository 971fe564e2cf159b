output "irsa_role_arns" {
  description = "IRSA role ARNs by controller (`cert-manager`, `external-dns`, `aws-load-balancer-controller`)."
  value       = { for k, v in aws_iam_role.this : k => v.arn }
}

output "argocd_url" {
  description = "URL Argo CD is served at (null when disabled)."
  value       = var.argocd.enabled ? "https://${local.argocd_hostname}" : null
}

output "argocd_hostname" {
  description = "Host name of Argo CD."
  value       = local.argocd_hostname
}

output "keycloak_url" {
  description = "Base URL of Keycloak (null when disabled)."
  value       = var.keycloak.enabled ? local.keycloak_url : null
}

output "keycloak_hostname" {
  description = "Host name of the Keycloak deployed here."
  value       = local.keycloak_hostname
}

output "keycloak_realm" {
  description = "Keycloak realm holding the Argo CD and Kubernetes clients."
  value       = var.keycloak.realm
}

output "keycloak_admin_secret_arn" {
  description = "ARN of the Secrets Manager secret (or SSM parameter) holding the Keycloak admin user and password as JSON."
  value       = try(aws_secretsmanager_secret.keycloak_admin[0].arn, aws_ssm_parameter.keycloak_admin[0].arn, null)
}

output "keycloak_admin_secret_name" {
  description = "Name of the secret (or SSM parameter) holding the Keycloak admin credentials."
  value       = local.keycloak_deployed ? local.keycloak_admin_name : null
}
