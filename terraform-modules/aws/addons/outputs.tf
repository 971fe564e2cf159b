output "irsa_role_arns" {
  description = "IRSA role ARNs by controller."
  value       = module.irsa.irsa_role_arns
}

output "argocd_url" {
  description = "URL of Argo CD."
  value       = module.in_cluster.argocd_url
}

output "keycloak_url" {
  description = "Base URL of Keycloak."
  value       = module.in_cluster.keycloak_url
}

output "keycloak_admin_secret_arn" {
  description = "ARN of the secret holding the Keycloak admin user and password (JSON)."
  value       = module.irsa.keycloak_admin_secret_arn
}

output "oidc_issuer_url" {
  description = "OIDC issuer of the Keycloak realm."
  value       = module.in_cluster.oidc_issuer_url
}

output "releases" {
  description = "Installed Helm releases."
  value       = module.in_cluster.releases
}
