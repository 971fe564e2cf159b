data "aws_region" "current" {}

data "aws_eks_cluster" "this" {
  name = var.cluster_name
}

locals {
  region = data.aws_region.current.name
  vpc_id = data.aws_eks_cluster.this.vpc_config[0].vpc_id

  lb_controller_enabled = var.aws_load_balancer_controller.enabled || var.ingress_nginx.enabled
  tls_annotations = var.cert_manager.enabled ? {
    "cert-manager.io/cluster-issuer" = var.cert_manager.cluster_issuer
  } : {}

  keycloak_deployed = var.keycloak.enabled && var.keycloak.external_url == null
  argocd_hostname   = coalesce(var.argocd.hostname, "argocd.${coalesce(var.domain_name, "example.invalid")}")
  keycloak_hostname = coalesce(var.keycloak.hostname, "keycloak.${coalesce(var.domain_name, "example.invalid")}")
  keycloak_url      = var.keycloak.external_url != null ? trimsuffix(var.keycloak.external_url, "/") : "https://${local.keycloak_hostname}"
  oidc_issuer       = "${local.keycloak_url}/realms/${var.keycloak.realm}"
  admin_group       = "${var.keycloak.realm}-admins"
  secrets_in_ssm    = try(startswith(split(":", var.keycloak_admin_secret_arn)[2], "ssm"), false)
}

################################################################################
# AWS load balancer controller (provisions the NLB in front of ingress-nginx)
################################################################################

resource "helm_release" "aws_load_balancer_controller" {
  count = local.lb_controller_enabled ? 1 : 0

  name       = "aws-load-balancer-controller"
  namespace  = "kube-system"
  repository = "https://aws.github.io/eks-charts"
  chart      = "aws-load-balancer-controller"
  version    = var.aws_load_balancer_controller.chart_version

  values = [yamlencode({
    clusterName = var.cluster_name
    region      = local.region
    vpcId       = local.vpc_id
    serviceAccount = {
      name        = "aws-load-balancer-controller"
      annotations = { "eks.amazonaws.com/role-arn" = var.irsa_role_arns["aws-load-balancer-controller"] }
    }
  })]
}

################################################################################
# ingress-nginx behind an NLB
################################################################################

resource "helm_release" "ingress_nginx" {
  count = var.ingress_nginx.enabled ? 1 : 0

  name             = "ingress-nginx"
  namespace        = "ingress-nginx"
  create_namespace = true
  repository       = "https://kubernetes.github.io/ingress-nginx"
  chart            = "ingress-nginx"
  version          = var.ingress_nginx.chart_version

  values = [yamlencode({
    controller = {
      replicaCount = var.ingress_nginx.replicas
      ingressClassResource = {
        name    = "nginx"
        default = true
      }
      config = {
        use-forwarded-headers = "true"
      }
      service = {
        annotations = {
          "service.beta.kubernetes.io/aws-load-balancer-type"                                = "external"
          "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"                     = "ip"
          "service.beta.kubernetes.io/aws-load-balancer-scheme"                              = var.ingress_nginx.internal ? "internal" : "internet-facing"
          "service.beta.kubernetes.io/aws-load-balancer-attributes"                          = "load_balancing.cross_zone.enabled=true"
          "service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol"                = "tcp"
          "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes"             = "preserve_client_ip.enabled=true"
          "service.beta.kubernetes.io/aws-load-balancer-additional-resource-tags"            = join(",", [for k, v in var.tags : "${k}=${v}"])
          "service.beta.kubernetes.io/aws-load-balancer-manage-backend-security-group-rules" = "true"
        }
      }
    }
  })]

  # The controller must be running to turn the Service into an NLB (and to delete it again).
  depends_on = [helm_release.aws_load_balancer_controller]
}

################################################################################
# cert-manager and the Let's Encrypt ClusterIssuer (DNS-01 on the zone)
################################################################################

resource "helm_release" "cert_manager" {
  count = var.cert_manager.enabled ? 1 : 0

  name             = "cert-manager"
  namespace        = "cert-manager"
  create_namespace = true
  repository       = "https://charts.jetstack.io"
  chart            = "cert-manager"
  version          = var.cert_manager.chart_version

  values = [yamlencode({
    crds = { enabled = true }
    serviceAccount = {
      name        = "cert-manager"
      annotations = { "eks.amazonaws.com/role-arn" = var.irsa_role_arns["cert-manager"] }
    }
    # Let the controller read the projected IRSA token.
    securityContext = { fsGroup = 1001 }
  })]
}

resource "helm_release" "cluster_issuer" {
  count = var.cert_manager.enabled ? 1 : 0

  name      = "cluster-issuer"
  namespace = "cert-manager"
  chart     = "${path.module}/charts/cluster-issuer"

  values = [yamlencode({
    name         = var.cert_manager.cluster_issuer
    email        = coalesce(var.cert_manager.email, "")
    server       = var.cert_manager.acme_server
    region       = local.region
    hostedZoneID = var.zone_id
    dnsZones     = [var.domain_name]
  })]

  # A separate release: the ClusterIssuer kind only exists once cert-manager's CRDs are in.
  depends_on = [helm_release.cert_manager]
}

################################################################################
# external-dns
################################################################################

resource "helm_release" "external_dns" {
  count = var.external_dns.enabled ? 1 : 0

  name             = "external-dns"
  namespace        = "external-dns"
  create_namespace = true
  repository       = "https://kubernetes-sigs.github.io/external-dns"
  chart            = "external-dns"
  version          = var.external_dns.chart_version

  values = [yamlencode({
    provider      = { name = "aws" }
    env           = [{ name = "AWS_DEFAULT_REGION", value = local.region }]
    domainFilters = [var.domain_name]
    policy        = var.external_dns.policy
    registry      = "txt"
    txtOwnerId    = var.cluster_name
    sources       = ["service", "ingress"]
    extraArgs     = ["--aws-zone-type=public", "--zone-id-filter=${var.zone_id}"]
    serviceAccount = {
      name        = "external-dns"
      annotations = { "eks.amazonaws.com/role-arn" = var.irsa_role_arns["external-dns"] }
    }
  })]
}

################################################################################
# Keycloak: one admin user, a realm, OIDC clients for Argo CD and the Kubernetes API
################################################################################

data "aws_secretsmanager_secret_version" "keycloak_admin" {
  count = local.keycloak_deployed && !local.secrets_in_ssm ? 1 : 0

  secret_id = var.keycloak_admin_secret_arn
}

data "aws_ssm_parameter" "keycloak_admin" {
  count = local.keycloak_deployed && local.secrets_in_ssm ? 1 : 0

  name            = element(split(":parameter", var.keycloak_admin_secret_arn), 1)
  with_decryption = true
}

locals {
  keycloak_admin = local.keycloak_deployed ? jsondecode(coalesce(
    try(data.aws_secretsmanager_secret_version.keycloak_admin[0].secret_string, null),
    try(data.aws_ssm_parameter.keycloak_admin[0].value, null),
  )) : null

  realm_clients = flatten([
    for c in concat([{ name = var.name, argocd_url = "https://${local.argocd_hostname}" }], var.shared_realm_clients) : [
      {
        clientId                  = "argocd-${c.name}"
        name                      = "Argo CD (${c.name})"
        publicClient              = true
        standardFlowEnabled       = true
        directAccessGrantsEnabled = false
        redirectUris              = ["${c.argocd_url}/auth/callback", "${c.argocd_url}/pkce/verify", "http://localhost:8085/auth/callback"]
        webOrigins                = [c.argocd_url]
        attributes                = { "pkce.code.challenge.method" = "S256", "post.logout.redirect.uris" = "${c.argocd_url}/*" }
        defaultClientScopes       = ["profile", "email", "groups"]
      },
      {
        clientId                  = "kubernetes-${c.name}"
        name                      = "Kubernetes API (${c.name})"
        publicClient              = true
        standardFlowEnabled       = true
        directAccessGrantsEnabled = false
        # kubectl oidc-login listens on these.
        redirectUris        = ["http://localhost:8000", "http://localhost:18000"]
        attributes          = { "pkce.code.challenge.method" = "S256" }
        defaultClientScopes = ["profile", "email", "groups"]
      },
    ]
  ])

  realm = {
    realm   = var.keycloak.realm
    enabled = true
    groups  = [{ name = local.admin_group }]
    clientScopes = [{
      name     = "groups"
      protocol = "openid-connect"
      protocolMappers = [{
        name           = "groups"
        protocol       = "openid-connect"
        protocolMapper = "oidc-group-membership-mapper"
        config = {
          "full.path"            = "false"
          "id.token.claim"       = "true"
          "access.token.claim"   = "true"
          "userinfo.token.claim" = "true"
          "claim.name"           = "groups"
        }
      }]
    }]
    clients = local.realm_clients
    # The admin exists in the master realm (full rights on Keycloak) and here, in the admin group
    # that Argo CD (role:admin) and Kubernetes (cluster-admin) map to. Same generated password,
    # substituted by keycloak-config-cli from the environment, so it never enters Helm values.
    users = [{
      username      = var.keycloak.admin_user
      enabled       = true
      emailVerified = true
      email         = "${var.keycloak.admin_user}@${coalesce(var.domain_name, "example.invalid")}"
      groups        = [local.admin_group]
      credentials   = [{ type = "password", value = "$(env:KEYCLOAK_ADMIN_PASSWORD)", temporary = false }]
    }]
  }
}

resource "kubernetes_namespace_v1" "keycloak" {
  count = local.keycloak_deployed ? 1 : 0

  metadata {
    name = "keycloak"
  }
}

resource "kubernetes_secret_v1" "keycloak_admin" {
  count = local.keycloak_deployed ? 1 : 0

  metadata {
    name      = "keycloak-admin"
    namespace = kubernetes_namespace_v1.keycloak[0].metadata[0].name
  }

  data = {
    admin-password = local.keycloak_admin.password
  }
}

resource "helm_release" "keycloak" {
  count = local.keycloak_deployed ? 1 : 0

  name       = "keycloak"
  namespace  = kubernetes_namespace_v1.keycloak[0].metadata[0].name
  repository = "oci://registry-1.docker.io/bitnamicharts"
  chart      = "keycloak"
  version    = var.keycloak.chart_version
  timeout    = 900

  values = [yamlencode({
    production   = true
    proxyHeaders = "xforwarded"
    auth = {
      adminUser         = var.keycloak.admin_user
      existingSecret    = kubernetes_secret_v1.keycloak_admin[0].metadata[0].name
      passwordSecretKey = "admin-password"
    }
    ingress = {
      enabled          = true
      ingressClassName = "nginx"
      hostname         = local.keycloak_hostname
      tls              = true
      annotations      = local.tls_annotations
    }
    postgresql = { enabled = true }
    keycloakConfigCli = {
      enabled = true
      extraEnvVars = [
        { name = "IMPORT_VARSUBSTITUTION_ENABLED", value = "true" },
        {
          name      = "KEYCLOAK_ADMIN_PASSWORD"
          valueFrom = { secretKeyRef = { name = kubernetes_secret_v1.keycloak_admin[0].metadata[0].name, key = "admin-password" } }
        },
      ]
      configuration = {
        "${var.keycloak.realm}.json" = jsonencode(local.realm)
      }
    }
  })]

  depends_on = [helm_release.ingress_nginx, helm_release.cluster_issuer]
}

# The Kubernetes API accepts Keycloak tokens: users as `oidc:<username>`, groups as `oidc:<group>`.
resource "aws_eks_identity_provider_config" "keycloak" {
  count = var.keycloak.enabled && var.keycloak.kubernetes_oidc ? 1 : 0

  cluster_name = var.cluster_name

  oidc {
    identity_provider_config_name = "keycloak"
    issuer_url                    = local.oidc_issuer
    client_id                     = "kubernetes-${var.name}"
    username_claim                = "preferred_username"
    username_prefix               = "oidc:"
    groups_claim                  = "groups"
    groups_prefix                 = "oidc:"
  }

  tags = var.tags

  timeouts {
    create = "40m"
    delete = "40m"
  }

  # EKS fetches the issuer's discovery document: Keycloak must answer over valid TLS first.
  depends_on = [helm_release.keycloak]
}

resource "kubernetes_cluster_role_binding_v1" "oidc_admins" {
  count = var.keycloak.enabled && var.keycloak.kubernetes_oidc ? 1 : 0

  metadata {
    name = "oidc-${local.admin_group}"
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = "cluster-admin"
  }

  subject {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Group"
    name      = "oidc:${local.admin_group}"
  }
}

################################################################################
# Argo CD and the app-of-apps
################################################################################

resource "helm_release" "argocd" {
  count = var.argocd.enabled ? 1 : 0

  name             = "argocd"
  namespace        = "argocd"
  create_namespace = true
  repository       = "https://argoproj.github.io/argo-helm"
  chart            = "argo-cd"
  version          = var.argocd.chart_version

  values = [yamlencode({
    global = { domain = local.argocd_hostname }
    configs = {
      # TLS ends at ingress-nginx.
      params = { "server.insecure" = true }
      cm = merge(
        { url = "https://${local.argocd_hostname}" },
        var.keycloak.enabled ? {
          "oidc.config" = yamlencode({
            name                     = "Keycloak"
            issuer                   = local.oidc_issuer
            clientID                 = "argocd-${var.name}"
            enablePKCEAuthentication = true
            requestedScopes          = ["openid", "profile", "email", "groups"]
          })
        } : {},
      )
      rbac = {
        "policy.default" = ""
        "policy.csv"     = "g, ${local.admin_group}, role:admin"
        scopes           = "[groups]"
      }
    }
    server = {
      ingress = {
        enabled          = true
        ingressClassName = "nginx"
        annotations      = local.tls_annotations
        tls              = true
      }
    }
  })]

  depends_on = [helm_release.ingress_nginx, helm_release.cluster_issuer]
}

locals {
  argocd_applications = [
    for app in var.argocd_applications : merge(
      { apiVersion = "argoproj.io/v1alpha1", kind = "Application" },
      app,
      { metadata = merge({ namespace = "argocd" }, app.metadata) },
    )
  ]
}

resource "helm_release" "app_of_apps" {
  count = var.argocd.enabled ? 1 : 0

  name      = "cairn-applications"
  namespace = "argocd"
  chart     = "${path.module}/charts/app-of-apps"

  values = [yamlencode({ applications = local.argocd_applications })]

  depends_on = [helm_release.argocd]
}
