variable "name" {
  description = "Infrastructure name (passed by Cairn). Names the Keycloak clients (`argocd-<name>`, `kubernetes-<name>`) so one realm can serve several infrastructures."
  type        = string
}

variable "tags" {
  description = "Tags added to AWS resources."
  type        = map(string)
  default     = {}
}

variable "cluster_name" {
  description = "EKS cluster name (wired from `kubernetes.cluster_name`)."
  type        = string
}

variable "zone_id" {
  description = "Route53 zone for DNS-01 and external-dns (wired from `domain.zone_id`)."
  type        = string
  default     = null
}

variable "domain_name" {
  description = "DNS name of the zone (wired from `domain.domain_name`)."
  type        = string
  default     = null
}

variable "irsa_role_arns" {
  description = "IRSA role ARNs by controller, from the irsa module."
  type        = map(string)
  default     = {}
}

variable "keycloak_admin_secret_arn" {
  description = "ARN of the secret (or SSM parameter) holding the Keycloak admin credentials as JSON, from the irsa module."
  type        = string
  default     = null
}

variable "argocd_applications" {
  description = "Argo CD Application objects (maps with metadata and spec; apiVersion, kind and metadata.namespace default) rendered by the app-of-apps release. Wired from the manifest's `applications`."
  type        = any
  default     = []
}

variable "shared_realm_clients" {
  description = "Other infrastructures using this Keycloak's realm: Keycloak clients `argocd-<name>` and `kubernetes-<name>` are created for each (only where Keycloak is deployed)."
  type = list(object({
    name       = string
    argocd_url = string
  }))
  default = []
}

variable "ingress_nginx" {
  description = "ingress-nginx behind an internet-facing (or `internal`) NLB provisioned by the AWS load balancer controller."
  type = object({
    enabled       = optional(bool, true)
    chart_version = optional(string, "4.12.1")
    replicas      = optional(number, 2)
    internal      = optional(bool, false)
  })
  default = {}
}

variable "aws_load_balancer_controller" {
  description = "AWS load balancer controller (needed for the ingress-nginx NLB). Installed when this or `ingress_nginx` is enabled."
  type = object({
    enabled       = optional(bool, true)
    chart_version = optional(string, "1.13.0")
  })
  default = {}
}

variable "cert_manager" {
  description = "cert-manager with a Let's Encrypt ClusterIssuer solving DNS-01 in the Route53 zone. `email` is the ACME account contact (optional)."
  type = object({
    enabled        = optional(bool, true)
    email          = optional(string)
    chart_version  = optional(string, "v1.17.2")
    acme_server    = optional(string, "https://acme-v02.api.letsencrypt.org/directory")
    cluster_issuer = optional(string, "letsencrypt")
  })
  default = {}
}

variable "external_dns" {
  description = "external-dns writing records for Ingresses and Services into the Route53 zone. `policy` is `upsert-only` or `sync`."
  type = object({
    enabled       = optional(bool, true)
    chart_version = optional(string, "1.16.1")
    policy        = optional(string, "upsert-only")
  })
  default = {}
}

variable "argocd" {
  description = "Argo CD, served at `hostname` (default `argocd.<domain_name>`), with Keycloak SSO when Keycloak is enabled, and an app-of-apps rendering `argocd_applications`."
  type = object({
    enabled       = optional(bool, true)
    chart_version = optional(string, "7.8.26")
    hostname      = optional(string)
  })
  default = {}
}

variable "keycloak" {
  description = "Keycloak with one admin user (`admin_user`, generated password kept under `secrets_prefix`), a realm and OIDC clients for Argo CD and the Kubernetes API. Set `external_url` to use a Keycloak shared across infrastructures instead of deploying one; `realm` names the (shareable) realm."
  type = object({
    enabled          = optional(bool, true)
    admin_user       = optional(string, "admin")
    realm            = optional(string, "cairn")
    hostname         = optional(string)
    external_url     = optional(string)
    chart_version    = optional(string, "24.4.13")
    password_version = optional(number, 1)
    kubernetes_oidc  = optional(bool, true)
  })
  default = {}
}
