data "aws_partition" "current" {}

locals {
  partition   = data.aws_partition.current.partition
  oidc_issuer = element(split("oidc-provider/", var.oidc_provider_arn), 1)
  role_prefix = substr("${var.cluster_name}-", 0, 30)

  lb_controller_enabled = var.aws_load_balancer_controller.enabled || var.ingress_nginx.enabled
  zone_arn              = var.zone_id == null ? null : "arn:${local.partition}:route53:::hostedzone/${var.zone_id}"

  # One IRSA role per enabled controller: the service account it trusts and the policy it gets.
  roles = { for k, v in {
    cert-manager = {
      enabled         = var.cert_manager.enabled
      namespace       = "cert-manager"
      service_account = "cert-manager"
      policy          = try(data.aws_iam_policy_document.cert_manager[0].json, null)
    }
    external-dns = {
      enabled         = var.external_dns.enabled
      namespace       = "external-dns"
      service_account = "external-dns"
      policy          = try(data.aws_iam_policy_document.external_dns[0].json, null)
    }
    aws-load-balancer-controller = {
      enabled         = local.lb_controller_enabled
      namespace       = "kube-system"
      service_account = "aws-load-balancer-controller"
      policy          = templatefile("${path.module}/policies/aws-load-balancer-controller.json.tftpl", { partition = local.partition })
    }
  } : k => v if v.enabled }

  # Generated secrets: Secrets Manager unless the prefix is an SSM path.
  secrets_in_ssm          = startswith(var.secrets_prefix, "/")
  keycloak_deployed       = var.keycloak.enabled && var.keycloak.external_url == null
  keycloak_admin_name     = "${var.secrets_prefix}keycloak-admin"
  argocd_hostname         = coalesce(var.argocd.hostname, "argocd.${coalesce(var.domain_name, "example.invalid")}")
  keycloak_hostname       = coalesce(var.keycloak.hostname, "keycloak.${coalesce(var.domain_name, "example.invalid")}")
  keycloak_url            = var.keycloak.external_url != null ? trimsuffix(var.keycloak.external_url, "/") : "https://${local.keycloak_hostname}"
  keycloak_admin_document = { username = var.keycloak.admin_user }
}

################################################################################
# IAM policies
################################################################################

data "aws_iam_policy_document" "cert_manager" {
  count = var.cert_manager.enabled ? 1 : 0

  lifecycle {
    precondition {
      condition     = var.zone_id != null
      error_message = "cert-manager needs zone_id: enable the domain stage or pass zone_id."
    }
  }

  statement {
    sid       = "GetChange"
    actions   = ["route53:GetChange"]
    resources = ["arn:${local.partition}:route53:::change/*"]
  }

  statement {
    sid       = "ChangeRecordsInZone"
    actions   = ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"]
    resources = [local.zone_arn]
  }

  statement {
    sid       = "FindZone"
    actions   = ["route53:ListHostedZonesByName"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "external_dns" {
  count = var.external_dns.enabled ? 1 : 0

  lifecycle {
    precondition {
      condition     = var.zone_id != null
      error_message = "external-dns needs zone_id: enable the domain stage or pass zone_id."
    }
  }

  statement {
    sid       = "ChangeRecordsInZone"
    actions   = ["route53:ChangeResourceRecordSets"]
    resources = [local.zone_arn]
  }

  statement {
    sid = "ListZonesAndRecords"
    actions = [
      "route53:ListHostedZones",
      "route53:ListResourceRecordSets",
      "route53:ListTagsForResource",
    ]
    resources = ["*"]
  }
}

################################################################################
# IRSA roles
################################################################################

data "aws_iam_policy_document" "assume" {
  for_each = local.roles

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:sub"
      values   = ["system:serviceaccount:${each.value.namespace}:${each.value.service_account}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = local.roles

  name                 = "${local.role_prefix}${each.key}"
  description          = "IRSA role of ${each.value.namespace}/${each.value.service_account} in EKS cluster ${var.cluster_name}"
  assume_role_policy   = data.aws_iam_policy_document.assume[each.key].json
  max_session_duration = 3600

  tags = var.tags
}

resource "aws_iam_policy" "this" {
  for_each = local.roles

  name        = "${local.role_prefix}${each.key}"
  description = "Permissions of ${each.key} in EKS cluster ${var.cluster_name}"
  policy      = each.value.policy

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = local.roles

  role       = aws_iam_role.this[each.key].name
  policy_arn = aws_iam_policy.this[each.key].arn
}

################################################################################
# Keycloak admin password: generated once, never stored in Terraform state
################################################################################

ephemeral "aws_secretsmanager_random_password" "keycloak_admin" {
  count = local.keycloak_deployed ? 1 : 0

  password_length     = 32
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "keycloak_admin" {
  count = local.keycloak_deployed && !local.secrets_in_ssm ? 1 : 0

  name                    = local.keycloak_admin_name
  description             = "Keycloak admin user of ${var.cluster_name} (JSON: username, password)"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.secret_recovery_window_in_days

  tags = var.tags
}

resource "aws_secretsmanager_secret_version" "keycloak_admin" {
  count = local.keycloak_deployed && !local.secrets_in_ssm ? 1 : 0

  secret_id = aws_secretsmanager_secret.keycloak_admin[0].id
  secret_string_wo = jsonencode(merge(local.keycloak_admin_document, {
    password = ephemeral.aws_secretsmanager_random_password.keycloak_admin[0].random_password
  }))
  # Bump keycloak.password_version to generate and store a new password.
  secret_string_wo_version = var.keycloak.password_version
}

resource "aws_ssm_parameter" "keycloak_admin" {
  count = local.keycloak_deployed && local.secrets_in_ssm ? 1 : 0

  name        = local.keycloak_admin_name
  description = "Keycloak admin user of ${var.cluster_name} (JSON: username, password)"
  type        = "SecureString"
  key_id      = var.kms_key_arn
  value_wo = jsonencode(merge(local.keycloak_admin_document, {
    password = ephemeral.aws_secretsmanager_random_password.keycloak_admin[0].random_password
  }))
  value_wo_version = var.keycloak.password_version

  tags = var.tags
}
