variable "create" {
  description = "Create the EKS cluster. Set to false to reuse the existing cluster named `cluster_name` (read with data sources)."
  type        = bool
  default     = true
}

variable "name" {
  description = "Infrastructure name (passed by Cairn). Default cluster name."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "cluster_name" {
  description = "Name of the EKS cluster. Defaults to `name`."
  type        = string
  default     = null
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane (for example \"1.31\"). Null takes the EKS default."
  type        = string
  default     = "1.31"
}

variable "vpc_id" {
  description = "VPC of the cluster (wired from `network.vpc_id`)."
  type        = string
  default     = null
}

variable "subnet_ids" {
  description = "Subnets for the control-plane ENIs and the node groups (wired from `network.private_subnet_ids`)."
  type        = list(string)
  default     = []
}

variable "node_groups" {
  description = "Managed node groups. `capacity_type` is ON_DEMAND or SPOT; `desired_size` is only set at creation (autoscalers own it afterwards); `max_unavailable_percentage` null keeps the EKS default of one node at a time during updates."
  type = list(object({
    name           = string
    instance_types = optional(list(string), ["t3.large"])
    min_size       = optional(number, 1)
    max_size       = optional(number, 3)
    desired_size   = optional(number, 2)
    capacity_type  = optional(string, "ON_DEMAND")
    ami_type       = optional(string, "AL2023_x86_64_STANDARD")
    disk_size      = optional(number, 50)
    labels         = optional(map(string), {})
    taints = optional(list(object({
      key    = string
      value  = optional(string)
      effect = string
    })), [])
    subnet_ids                 = optional(list(string))
    max_unavailable_percentage = optional(number)
  }))
  default = [{ name = "default" }]

  validation {
    condition     = alltrue([for g in var.node_groups : contains(["ON_DEMAND", "SPOT"], g.capacity_type)])
    error_message = "node_groups[].capacity_type must be ON_DEMAND or SPOT."
  }

  validation {
    condition     = alltrue([for g in var.node_groups : g.min_size <= g.desired_size && g.desired_size <= g.max_size])
    error_message = "node_groups[] must satisfy min_size <= desired_size <= max_size."
  }
}

variable "admin_role_arns" {
  description = "IAM role (or user) ARNs given cluster-admin through EKS access entries (AmazonEKSClusterAdminPolicy, cluster scope)."
  type        = list(string)
  default     = []
}

variable "bootstrap_cluster_creator_admin_permissions" {
  description = "Give the identity that creates the cluster admin rights. Only read at creation."
  type        = bool
  default     = true
}

variable "endpoint_public_access" {
  description = "Expose the Kubernetes API endpoint publicly (restricted by `endpoint_public_access_cidrs`). The private endpoint is always on."
  type        = bool
  default     = true
}

variable "endpoint_public_access_cidrs" {
  description = "CIDR blocks allowed to reach the public API endpoint."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "enabled_log_types" {
  description = "Control-plane log types sent to CloudWatch Logs."
  type        = list(string)
  default     = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
}

variable "log_retention_in_days" {
  description = "Retention of the control-plane log group."
  type        = number
  default     = 90
}

variable "secrets_encryption" {
  description = "Envelope-encrypt Kubernetes secrets with a KMS key (created here unless `kms_key_arn` is given)."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "KMS key for Kubernetes secrets encryption, instead of creating one."
  type        = string
  default     = null
}

variable "cluster_addons" {
  description = "EKS managed add-ons to install, by name (for example { vpc-cni = {}, coredns = {}, kube-proxy = {}, eks-pod-identity-agent = {} }). Empty keeps the self-managed defaults EKS bootstraps."
  type = map(object({
    addon_version               = optional(string)
    resolve_conflicts_on_create = optional(string, "OVERWRITE")
    resolve_conflicts_on_update = optional(string, "OVERWRITE")
    service_account_role_arn    = optional(string)
    configuration_values        = optional(string)
  }))
  default = {}
}

variable "oidc_thumbprint" {
  description = "SHA-1 thumbprint of the root CA of the EKS OIDC issuer. The default is the well-known one for `oidc.eks.<region>.amazonaws.com` (AWS no longer checks it for this issuer, but the API requires one)."
  type        = string
  default     = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
}

variable "node_role_arn" {
  description = "Node IAM role ARN to report when reusing a cluster (`create = false`)."
  type        = string
  default     = null
}
