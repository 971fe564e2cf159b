data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition    = data.aws_partition.current.partition
  cluster_name = coalesce(var.cluster_name, var.name)

  create_kms_key = var.create && var.secrets_encryption && var.kms_key_arn == null
  kms_key_arn    = var.secrets_encryption ? (local.create_kms_key ? aws_kms_key.this[0].arn : var.kms_key_arn) : null

  node_groups = var.create ? { for g in var.node_groups : g.name => g } : {}

  cluster_policies = {
    AmazonEKSClusterPolicy         = "arn:${local.partition}:iam::aws:policy/AmazonEKSClusterPolicy"
    AmazonEKSVPCResourceController = "arn:${local.partition}:iam::aws:policy/AmazonEKSVPCResourceController"
  }
  node_policies = {
    AmazonEKSWorkerNodePolicy          = "arn:${local.partition}:iam::aws:policy/AmazonEKSWorkerNodePolicy"
    AmazonEKS_CNI_Policy               = "arn:${local.partition}:iam::aws:policy/AmazonEKS_CNI_Policy"
    AmazonEC2ContainerRegistryReadOnly = "arn:${local.partition}:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
    AmazonSSMManagedInstanceCore       = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
  }
}

################################################################################
# Secrets encryption key and control-plane logs
################################################################################

resource "aws_kms_key" "this" {
  count = local.create_kms_key ? 1 : 0

  description             = "EKS ${local.cluster_name}: Kubernetes secrets envelope encryption"
  deletion_window_in_days = 30
  enable_key_rotation     = true

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  count = local.create_kms_key ? 1 : 0

  name          = "alias/eks/${local.cluster_name}"
  target_key_id = aws_kms_key.this[0].key_id
}

resource "aws_cloudwatch_log_group" "this" {
  count = var.create && length(var.enabled_log_types) > 0 ? 1 : 0

  # EKS writes to this exact name; creating it first lets Terraform own the retention.
  name              = "/aws/eks/${local.cluster_name}/cluster"
  retention_in_days = var.log_retention_in_days

  tags = var.tags
}

################################################################################
# Cluster IAM role
################################################################################

data "aws_iam_policy_document" "cluster_assume" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cluster" {
  count = var.create ? 1 : 0

  name_prefix        = "${substr(local.cluster_name, 0, 24)}-cluster-"
  assume_role_policy = data.aws_iam_policy_document.cluster_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "cluster" {
  for_each = var.create ? local.cluster_policies : {}

  role       = aws_iam_role.cluster[0].name
  policy_arn = each.value
}

data "aws_iam_policy_document" "cluster_kms" {
  count = var.create && var.secrets_encryption ? 1 : 0

  statement {
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]
    resources = [local.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "cluster_kms" {
  count = var.create && var.secrets_encryption ? 1 : 0

  name   = "secrets-encryption"
  role   = aws_iam_role.cluster[0].id
  policy = data.aws_iam_policy_document.cluster_kms[0].json
}

################################################################################
# Cluster
################################################################################

resource "aws_eks_cluster" "this" {
  count = var.create ? 1 : 0

  name                      = local.cluster_name
  version                   = var.kubernetes_version
  role_arn                  = aws_iam_role.cluster[0].arn
  enabled_cluster_log_types = var.enabled_log_types

  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = var.endpoint_public_access
    public_access_cidrs     = var.endpoint_public_access ? var.endpoint_public_access_cidrs : null
  }

  access_config {
    authentication_mode                         = "API_AND_CONFIG_MAP"
    bootstrap_cluster_creator_admin_permissions = var.bootstrap_cluster_creator_admin_permissions
  }

  dynamic "encryption_config" {
    for_each = var.secrets_encryption ? [local.kms_key_arn] : []

    content {
      resources = ["secrets"]

      provider {
        key_arn = encryption_config.value
      }
    }
  }

  tags = merge(var.tags, { Name = local.cluster_name })

  lifecycle {
    # The authentication mode only moves one way (CONFIG_MAP -> API_AND_CONFIG_MAP -> API) and the
    # bootstrap flag is only read at creation, so neither is reconciled afterwards (moto also does
    # not store access_config, which would otherwise replace the cluster on every plan).
    ignore_changes = [access_config]

    precondition {
      condition     = length(var.subnet_ids) >= 2
      error_message = "subnet_ids needs at least two subnets in different AZs (wire network.private_subnet_ids)."
    }
  }

  depends_on = [
    aws_iam_role_policy_attachment.cluster,
    aws_iam_role_policy.cluster_kms,
    aws_cloudwatch_log_group.this,
  ]
}

################################################################################
# IRSA: OIDC provider
################################################################################

resource "aws_iam_openid_connect_provider" "this" {
  count = var.create ? 1 : 0

  url             = aws_eks_cluster.this[0].identity[0].oidc[0].issuer
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = [var.oidc_thumbprint]

  tags = merge(var.tags, { Name = "${local.cluster_name}-irsa" })
}

################################################################################
# Access entries (cluster admins)
################################################################################

resource "aws_eks_access_entry" "admin" {
  for_each = var.create ? toset(var.admin_role_arns) : toset([])

  cluster_name  = aws_eks_cluster.this[0].name
  principal_arn = each.value
  type          = "STANDARD"

  tags = var.tags
}

resource "aws_eks_access_policy_association" "admin" {
  for_each = aws_eks_access_entry.admin

  cluster_name  = aws_eks_cluster.this[0].name
  principal_arn = each.value.principal_arn
  policy_arn    = "arn:${local.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

  access_scope {
    type = "cluster"
  }
}

################################################################################
# Node IAM role and managed node groups
################################################################################

data "aws_iam_policy_document" "node_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "node" {
  count = var.create ? 1 : 0

  name_prefix        = "${substr(local.cluster_name, 0, 24)}-node-"
  assume_role_policy = data.aws_iam_policy_document.node_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "node" {
  for_each = var.create ? local.node_policies : {}

  role       = aws_iam_role.node[0].name
  policy_arn = each.value
}

resource "aws_eks_node_group" "this" {
  for_each = local.node_groups

  cluster_name    = aws_eks_cluster.this[0].name
  node_group_name = each.key
  node_role_arn   = aws_iam_role.node[0].arn
  subnet_ids      = coalesce(each.value.subnet_ids, var.subnet_ids)

  instance_types = each.value.instance_types
  capacity_type  = each.value.capacity_type
  ami_type       = each.value.ami_type
  disk_size      = each.value.disk_size
  labels         = length(each.value.labels) > 0 ? each.value.labels : null

  scaling_config {
    min_size     = each.value.min_size
    max_size     = each.value.max_size
    desired_size = each.value.desired_size
  }

  dynamic "update_config" {
    for_each = each.value.max_unavailable_percentage == null ? [] : [each.value.max_unavailable_percentage]

    content {
      max_unavailable_percentage = update_config.value
    }
  }

  dynamic "taint" {
    for_each = each.value.taints

    content {
      key    = taint.value.key
      value  = taint.value.value
      effect = taint.value.effect
    }
  }

  tags = merge(var.tags, { Name = "${local.cluster_name}-${each.key}" })

  lifecycle {
    # Cluster autoscalers (Karpenter, cluster-autoscaler) own the desired size after creation.
    # remote_access is never set here; moto reports a default SSH key for it, which would force
    # a replacement on every plan.
    ignore_changes = [scaling_config[0].desired_size, remote_access]
  }

  depends_on = [aws_iam_role_policy_attachment.node]
}

resource "aws_eks_addon" "this" {
  for_each = var.create ? var.cluster_addons : {}

  cluster_name                = aws_eks_cluster.this[0].name
  addon_name                  = each.key
  addon_version               = each.value.addon_version
  resolve_conflicts_on_create = each.value.resolve_conflicts_on_create
  resolve_conflicts_on_update = each.value.resolve_conflicts_on_update
  service_account_role_arn    = each.value.service_account_role_arn
  configuration_values        = each.value.configuration_values

  tags = var.tags

  depends_on = [aws_eks_node_group.this]
}

################################################################################
# Reuse: an existing cluster
################################################################################

data "aws_eks_cluster" "existing" {
  count = var.create ? 0 : 1

  name = local.cluster_name
}

locals {
  cluster     = var.create ? try(aws_eks_cluster.this[0], null) : try(data.aws_eks_cluster.existing[0], null)
  oidc_issuer = try(local.cluster.identity[0].oidc[0].issuer, null)
  # For a reused cluster the provider ARN follows from the issuer; the provider itself must exist.
  oidc_provider_arn = var.create ? try(aws_iam_openid_connect_provider.this[0].arn, null) : (
    local.oidc_issuer == null ? null : "arn:${local.partition}:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/${trimprefix(local.oidc_issuer, "https://")}"
  )
}
