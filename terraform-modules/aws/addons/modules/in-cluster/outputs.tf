output "argocd_url" {
  description = "URL of Argo CD (null when disabled)."
  value       = var.argocd.enabled ? "https://${local.argocd_hostname}" : null
}

output "keycloak_url" {
  description = "Base URL of Keycloak (null when disabled)."
  value       = var.keycloak.enabled ? local.keycloak_url : null
}

output "oidc_issuer_url" {
  description = "OIDC issuer of the realm (Argo CD and the Kubernetes API trust it)."
  value       = var.keycloak.enabled ? local.oidc_issuer : null
}

output "keycloak_clients" {
  description = "Client IDs created in the realm."
  value       = local.keycloak_deployed ? [for c in local.realm_clients : c.clientId] : []
}

output "releases" {
  description = "Installed Helm releases by name: chart version and status."
  value = {
    for r in concat(
      helm_release.aws_load_balancer_controller, helm_release.ingress_nginx, helm_release.cert_manager,
      helm_release.cluster_issuer, helm_release.external_dns, helm_release.keycloak, helm_release.argocd,
      helm_release.app_of_apps,
    ) : r.name => { version = r.version, status = r.status }
  }
}
