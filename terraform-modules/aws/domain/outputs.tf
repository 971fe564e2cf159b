output "zone_id" {
  description = "ID of the hosted zone."
  value       = local.zone_id
}

output "zone_arn" {
  description = "ARN of the hosted zone."
  value       = try(aws_route53_zone.this[0].arn, data.aws_route53_zone.existing[0].arn, null)
}

output "domain_name" {
  description = "DNS name of the zone, without trailing dot."
  value       = local.domain_name
}

output "name_servers" {
  description = "Name servers of the hosted zone (delegate the domain to these)."
  value       = try(aws_route53_zone.this[0].name_servers, data.aws_route53_zone.existing[0].name_servers, [])
}

output "certificate_arn" {
  description = "ARN of the validated ACM certificate for the domain and its wildcard (null when `certificate = false`)."
  value       = try(aws_acm_certificate_validation.this[0].certificate_arn, aws_acm_certificate.this[0].arn, null)
}
