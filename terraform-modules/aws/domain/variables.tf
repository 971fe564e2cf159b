variable "create" {
  description = "Create the hosted zone. Set to false to reuse the zone given by `zone_id`."
  type        = bool
  default     = true
}

variable "name" {
  description = "Infrastructure name (passed by Cairn)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "domain_name" {
  description = "DNS name of the zone to create (for example `dev.example.com`). When reusing a zone it defaults to the zone's name."
  type        = string
  default     = null
}

variable "zone_id" {
  description = "ID of an existing public hosted zone to reuse when `create = false`."
  type        = string
  default     = null
}

variable "parent_zone_id" {
  description = "ID of a parent hosted zone in this account to delegate `domain_name` from (an NS record is written there). Null for no delegation."
  type        = string
  default     = null
}

variable "delegation_ttl" {
  description = "TTL of the NS delegation record in the parent zone."
  type        = number
  default     = 300
}

variable "force_destroy" {
  description = "Delete all records (for example those written by external-dns) when the zone is destroyed."
  type        = bool
  default     = false
}

variable "certificate" {
  description = "Request an ACM certificate for `domain_name` and `*.domain_name`, validated by DNS in the zone."
  type        = bool
  default     = true
}

variable "subject_alternative_names" {
  description = "Extra names for the certificate, in addition to the domain and its wildcard."
  type        = list(string)
  default     = []
}

variable "wait_for_validation" {
  description = "Wait until the certificate is issued before finishing the apply."
  type        = bool
  default     = true
}
