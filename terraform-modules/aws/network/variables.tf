variable "create" {
  description = "Create the VPC and its subnets. Set to false to reuse an existing VPC (`vpc_id`) and subnets (`*_subnet_ids`)."
  type        = bool
  default     = true
}

variable "name" {
  description = "Infrastructure name (passed by Cairn). Used in resource names."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "cidr" {
  description = "IPv4 CIDR block of the VPC. Subnet CIDRs are computed from it with cidrsubnet (see README)."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr, 0)) && tonumber(split("/", var.cidr)[1]) <= 20
    error_message = "cidr must be a valid IPv4 CIDR block of size /20 or larger."
  }
}

variable "azs" {
  description = "Availability zones to spread subnets over (one public, private and database subnet per AZ). Defaults to the first three available zones of the region."
  type        = list(string)
  default     = []
}

variable "nat_gateway" {
  description = "NAT for the private subnets: `none`, `single` (one shared NAT gateway) or `per_az` (one per AZ, highly available)."
  type        = string
  default     = "single"

  validation {
    condition     = contains(["none", "single", "per_az"], var.nat_gateway)
    error_message = "nat_gateway must be one of none, single, per_az."
  }
}

variable "interface_endpoints" {
  description = "AWS services to reach through interface VPC endpoints from the private subnets, by short name (for example [\"ecr.api\", \"ecr.dkr\", \"sts\"])."
  type        = list(string)
  default     = []
}

variable "s3_gateway_endpoint" {
  description = "Create an S3 gateway endpoint attached to every route table."
  type        = bool
  default     = true
}

variable "public_subnets" {
  description = "Explicit public subnet CIDRs, one per AZ, instead of the computed ones."
  type        = list(string)
  default     = []
}

variable "private_subnets" {
  description = "Explicit private subnet CIDRs, one per AZ, instead of the computed ones."
  type        = list(string)
  default     = []
}

variable "database_subnets" {
  description = "Explicit database subnet CIDRs, one per AZ, instead of the computed ones."
  type        = list(string)
  default     = []
}

variable "cluster_name" {
  description = "EKS cluster name to tag subnets for (`kubernetes.io/cluster/<name> = shared`). Optional: the load balancer controller finds subnets by role tags alone."
  type        = string
  default     = null
}

variable "vpc_id" {
  description = "ID of an existing VPC to reuse when `create = false`."
  type        = string
  default     = null
}

variable "public_subnet_ids" {
  description = "IDs of existing public subnets to reuse when `create = false`."
  type        = list(string)
  default     = []
}

variable "private_subnet_ids" {
  description = "IDs of existing private subnets to reuse when `create = false`."
  type        = list(string)
  default     = []
}

variable "database_subnet_ids" {
  description = "IDs of existing database subnets to reuse when `create = false`."
  type        = list(string)
  default     = []
}
