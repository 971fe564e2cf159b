module "irsa" {
  source = "./modules/irsa"

  name                           = var.name
  tags                           = var.tags
  cluster_name                   = var.cluster_name
  oidc_provider_arn              = var.oidc_provider_arn
  zone_id                        = var.zone_id
  domain_name                    = var.domain_name
  kms_key_arn                    = var.kms_key_arn
  secrets_prefix                 = var.secrets_prefix
  secret_recovery_window_in_days = var.secret_recovery_window_in_days

  ingress_nginx                = var.ingress_nginx
  aws_load_balancer_controller = var.aws_load_balancer_controller
  cert_manager                 = var.cert_manager
  external_dns                 = var.external_dns
  argocd                       = var.argocd
  keycloak                     = var.keycloak
}

module "in_cluster" {
  source = "./modules/in-cluster"

  name                      = var.name
  tags                      = var.tags
  cluster_name              = var.cluster_name
  zone_id                   = var.zone_id
  domain_name               = var.domain_name
  irsa_role_arns            = module.irsa.irsa_role_arns
  keycloak_admin_secret_arn = module.irsa.keycloak_admin_secret_arn
  argocd_applications       = var.argocd_applications
  shared_realm_clients      = var.shared_realm_clients

  ingress_nginx                = var.ingress_nginx
  aws_load_balancer_controller = var.aws_load_balancer_controller
  cert_manager                 = var.cert_manager
  external_dns                 = var.external_dns
  argocd                       = var.argocd
  keycloak                     = var.keycloak

  # The secret version must exist before it is read.
  depends_on = [module.irsa]
}
