data "aws_route53_zone" "existing" {
  count = var.create ? 0 : 1

  zone_id = var.zone_id
}

locals {
  zone_id     = var.create ? aws_route53_zone.this[0].zone_id : var.zone_id
  domain_name = var.create ? var.domain_name : coalesce(var.domain_name, trimsuffix(try(data.aws_route53_zone.existing[0].name, ""), "."))

  certificate_names = distinct(concat([local.domain_name, "*.${local.domain_name}"], var.subject_alternative_names))
  # A wildcard and its apex share one validation record: one record per distinct base name.
  validation_names = var.certificate ? toset([for n in local.certificate_names : trimprefix(n, "*.")]) : toset([])
}

################################################################################
# Hosted zone
################################################################################

resource "aws_route53_zone" "this" {
  count = var.create ? 1 : 0

  name          = var.domain_name
  comment       = "Cairn ${coalesce(var.name, var.domain_name)}"
  force_destroy = var.force_destroy

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.domain_name != null
      error_message = "domain_name is required when create = true."
    }
  }
}

resource "aws_route53_record" "delegation" {
  count = var.create && var.parent_zone_id != null ? 1 : 0

  zone_id = var.parent_zone_id
  name    = var.domain_name
  type    = "NS"
  ttl     = var.delegation_ttl
  records = aws_route53_zone.this[0].name_servers
}

################################################################################
# ACM certificate (DNS validated)
################################################################################

resource "aws_acm_certificate" "this" {
  count = var.certificate ? 1 : 0

  domain_name               = local.domain_name
  subject_alternative_names = [for n in local.certificate_names : n if n != local.domain_name]
  validation_method         = "DNS"

  options {
    certificate_transparency_logging_preference = "ENABLED"
  }

  tags = merge(var.tags, { Name = local.domain_name })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "validation" {
  for_each = local.validation_names

  zone_id         = local.zone_id
  allow_overwrite = true
  ttl             = 60
  name            = one([for o in aws_acm_certificate.this[0].domain_validation_options : o.resource_record_name if o.domain_name == each.key])
  type            = one([for o in aws_acm_certificate.this[0].domain_validation_options : o.resource_record_type if o.domain_name == each.key])
  records         = [one([for o in aws_acm_certificate.this[0].domain_validation_options : o.resource_record_value if o.domain_name == each.key])]
}

resource "aws_acm_certificate_validation" "this" {
  count = var.certificate && var.wait_for_validation ? 1 : 0

  certificate_arn         = aws_acm_certificate.this[0].arn
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]
}
