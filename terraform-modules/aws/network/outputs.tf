output "vpc_id" {
  description = "ID of the VPC."
  value       = try(aws_vpc.this[0].id, var.vpc_id)
}

output "vpc_arn" {
  description = "ARN of the VPC."
  value       = try(aws_vpc.this[0].arn, data.aws_vpc.existing[0].arn, null)
}

output "vpc_cidr" {
  description = "IPv4 CIDR block of the VPC."
  value       = try(aws_vpc.this[0].cidr_block, data.aws_vpc.existing[0].cidr_block, null)
}

output "azs" {
  description = "Availability zones the subnets are spread over."
  value       = var.create ? local.azs : distinct([for id in var.private_subnet_ids : data.aws_subnet.existing_private[id].availability_zone])
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, one per AZ."
  value       = var.create ? aws_subnet.public[*].id : var.public_subnet_ids
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, one per AZ."
  value       = var.create ? aws_subnet.private[*].id : var.private_subnet_ids
}

output "database_subnet_ids" {
  description = "IDs of the database subnets, one per AZ."
  value       = var.create ? aws_subnet.database[*].id : var.database_subnet_ids
}

output "public_subnet_cidrs" {
  description = "CIDR blocks of the public subnets."
  value       = aws_subnet.public[*].cidr_block
}

output "private_subnet_cidrs" {
  description = "CIDR blocks of the private subnets."
  value       = aws_subnet.private[*].cidr_block
}

output "database_subnet_cidrs" {
  description = "CIDR blocks of the database subnets."
  value       = aws_subnet.database[*].cidr_block
}

output "nat_public_ips" {
  description = "Public IPs of the NAT gateways."
  value       = aws_eip.nat[*].public_ip
}

output "private_route_table_ids" {
  description = "IDs of the private route tables."
  value       = aws_route_table.private[*].id
}

output "s3_endpoint_id" {
  description = "ID of the S3 gateway endpoint."
  value       = try(aws_vpc_endpoint.s3[0].id, null)
}

output "interface_endpoint_ids" {
  description = "IDs of the interface VPC endpoints, by service short name."
  value       = { for k, v in aws_vpc_endpoint.interface : k => v.id }
}
