# Stand-in for cairn://aws/addons.
terraform {
  required_version = ">= 1.10"
}

variable "cluster_name" {
  description = "Wired from kubernetes.cluster_name."
  type        = string
}

variable "cluster_endpoint" {
  description = "Wired from kubernetes.cluster_endpoint."
  type        = string
}

variable "zone_id" {
  description = "Wired from domain.zone_id."
  type        = string
}

variable "domain_name" {
  description = "Wired from domain.domain_name."
  type        = string
}

variable "cert_manager" {
  description = "cert-manager settings."
  type        = object({ enabled = optional(bool, true), email = optional(string) })
  default     = {}
}

variable "keycloak" {
  description = "Keycloak settings."
  type        = object({ enabled = optional(bool, true), admin_user = optional(string, "admin"), realm = optional(string, "cairn") })
  default     = {}
}

variable "argocd_applications" {
  description = "Argo CD Application objects rendered by Cairn."
  type        = any
  default     = []
}

resource "terraform_data" "this" {
  input = {
    cluster      = var.cluster_name
    endpoint     = var.cluster_endpoint
    zone         = var.zone_id
    applications = [for a in var.argocd_applications : a.metadata.name]
  }
}

output "argocd_url" {
  description = "Argo CD UI."
  value       = "https://argocd.${var.domain_name}"
}

output "keycloak_url" {
  description = "Keycloak."
  value       = "https://keycloak.${var.domain_name}/realms/${var.keycloak.realm}"
}

output "keycloak_admin_user" {
  description = "The one admin user."
  value       = var.keycloak.admin_user
}

output "keycloak_admin_password" {
  description = "Generated admin password (a stand-in; the AWS module keeps it in Secrets Manager)."
  value       = "kc-${substr(sha256(terraform_data.this.id), 0, 20)}"
  sensitive   = true
}

output "applications" {
  description = "Argo CD applications installed."
  value       = terraform_data.this.output.applications
}
