data "aws_availability_zones" "available" {
  count = var.create && length(var.azs) == 0 ? 1 : 0

  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

data "aws_region" "current" {}

locals {
  azs   = length(var.azs) > 0 ? var.azs : try(slice(data.aws_availability_zones.available[0].names, 0, 3), [])
  n_azs = var.create ? length(local.azs) : 0

  # Subnet layout, with `cidr` = /16 as example:
  #   private  : /20 blocks 0..n-1     (10.x.0.0/20, 10.x.16.0/20, ...)   up to 8 AZs
  #   public   : /24 blocks 128+i       (10.x.128.0/24, ...)
  #   database : /24 blocks 144+i       (10.x.144.0/24, ...)
  # The same proportions apply to any prefix between /16 and /20.
  public_subnets   = length(var.public_subnets) > 0 ? var.public_subnets : [for i in range(length(local.azs)) : cidrsubnet(var.cidr, 8, 128 + i)]
  private_subnets  = length(var.private_subnets) > 0 ? var.private_subnets : [for i in range(length(local.azs)) : cidrsubnet(var.cidr, 4, i)]
  database_subnets = length(var.database_subnets) > 0 ? var.database_subnets : [for i in range(length(local.azs)) : cidrsubnet(var.cidr, 8, 144 + i)]

  nat_count          = !var.create || var.nat_gateway == "none" ? 0 : (var.nat_gateway == "single" ? 1 : local.n_azs)
  private_rt_count   = var.create ? (var.nat_gateway == "per_az" ? local.n_azs : 1) : 0
  cluster_subnet_tag = var.cluster_name == null ? {} : { "kubernetes.io/cluster/${var.cluster_name}" = "shared" }
}

################################################################################
# VPC
################################################################################

resource "aws_vpc" "this" {
  count = var.create ? 1 : 0

  cidr_block           = var.cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_internet_gateway" "this" {
  count = var.create ? 1 : 0

  vpc_id = aws_vpc.this[0].id

  tags = merge(var.tags, { Name = var.name })
}

################################################################################
# Subnets
################################################################################

resource "aws_subnet" "public" {
  count = local.n_azs

  vpc_id            = aws_vpc.this[0].id
  cidr_block        = local.public_subnets[count.index]
  availability_zone = local.azs[count.index]

  tags = merge(var.tags, local.cluster_subnet_tag, {
    Name                     = "${var.name}-public-${local.azs[count.index]}"
    "kubernetes.io/role/elb" = "1"
  })
}

resource "aws_subnet" "private" {
  count = local.n_azs

  vpc_id            = aws_vpc.this[0].id
  cidr_block        = local.private_subnets[count.index]
  availability_zone = local.azs[count.index]

  tags = merge(var.tags, local.cluster_subnet_tag, {
    Name                              = "${var.name}-private-${local.azs[count.index]}"
    "kubernetes.io/role/internal-elb" = "1"
  })
}

resource "aws_subnet" "database" {
  count = local.n_azs

  vpc_id            = aws_vpc.this[0].id
  cidr_block        = local.database_subnets[count.index]
  availability_zone = local.azs[count.index]

  tags = merge(var.tags, { Name = "${var.name}-database-${local.azs[count.index]}" })
}

################################################################################
# NAT gateways
################################################################################

resource "aws_eip" "nat" {
  count = local.nat_count

  domain = "vpc"

  tags = merge(var.tags, { Name = "${var.name}-nat-${local.azs[count.index]}" })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  count = local.nat_count

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id

  tags = merge(var.tags, { Name = "${var.name}-${local.azs[count.index]}" })

  depends_on = [aws_internet_gateway.this]
}

################################################################################
# Route tables
################################################################################

resource "aws_route_table" "public" {
  count = var.create ? 1 : 0

  vpc_id = aws_vpc.this[0].id

  tags = merge(var.tags, { Name = "${var.name}-public" })
}

resource "aws_route" "public_internet" {
  count = var.create ? 1 : 0

  route_table_id         = aws_route_table.public[0].id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this[0].id
}

resource "aws_route_table_association" "public" {
  count = local.n_azs

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public[0].id
}

resource "aws_route_table" "private" {
  count = local.private_rt_count

  vpc_id = aws_vpc.this[0].id

  tags = merge(var.tags, {
    Name = var.nat_gateway == "per_az" ? "${var.name}-private-${local.azs[count.index]}" : "${var.name}-private"
  })
}

resource "aws_route" "private_nat" {
  count = local.nat_count > 0 ? local.private_rt_count : 0

  route_table_id         = aws_route_table.private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[min(count.index, local.nat_count - 1)].id
}

resource "aws_route_table_association" "private" {
  count = local.n_azs

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[var.nat_gateway == "per_az" ? count.index : 0].id
}

# Database subnets are isolated: no route to the internet, S3 through the gateway endpoint only.
resource "aws_route_table" "database" {
  count = var.create ? 1 : 0

  vpc_id = aws_vpc.this[0].id

  tags = merge(var.tags, { Name = "${var.name}-database" })
}

resource "aws_route_table_association" "database" {
  count = local.n_azs

  subnet_id      = aws_subnet.database[count.index].id
  route_table_id = aws_route_table.database[0].id
}

################################################################################
# VPC endpoints
################################################################################

resource "aws_vpc_endpoint" "s3" {
  count = var.create && var.s3_gateway_endpoint ? 1 : 0

  vpc_id            = aws_vpc.this[0].id
  service_name      = "com.amazonaws.${data.aws_region.current.name}.s3"
  vpc_endpoint_type = "Gateway"

  tags = merge(var.tags, { Name = "${var.name}-s3" })
}

resource "aws_vpc_endpoint_route_table_association" "s3" {
  for_each = var.create && var.s3_gateway_endpoint ? merge(
    { for i, id in aws_route_table.public[*].id : "public-${i}" => id },
    { for i, id in aws_route_table.private[*].id : "private-${i}" => id },
    { for i, id in aws_route_table.database[*].id : "database-${i}" => id },
  ) : {}

  vpc_endpoint_id = aws_vpc_endpoint.s3[0].id
  route_table_id  = each.value
}

resource "aws_security_group" "endpoints" {
  count = var.create && length(var.interface_endpoints) > 0 ? 1 : 0

  name_prefix = "${var.name}-vpc-endpoints-"
  description = "HTTPS from the VPC to interface VPC endpoints"
  vpc_id      = aws_vpc.this[0].id

  tags = merge(var.tags, { Name = "${var.name}-vpc-endpoints" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_https" {
  count = var.create && length(var.interface_endpoints) > 0 ? 1 : 0

  security_group_id = aws_security_group.endpoints[0].id
  description       = "HTTPS from the VPC"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = aws_vpc.this[0].cidr_block

  tags = var.tags
}

resource "aws_vpc_endpoint" "interface" {
  for_each = var.create ? toset(var.interface_endpoints) : toset([])

  vpc_id              = aws_vpc.this[0].id
  service_name        = "com.amazonaws.${data.aws_region.current.name}.${each.value}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = aws_subnet.private[*].id
  security_group_ids  = [aws_security_group.endpoints[0].id]

  tags = merge(var.tags, { Name = "${var.name}-${each.value}" })
}

################################################################################
# Reuse: an existing VPC and its subnets
################################################################################

data "aws_vpc" "existing" {
  count = var.create ? 0 : 1

  id = var.vpc_id
}

data "aws_subnet" "existing_private" {
  for_each = var.create ? toset([]) : toset(var.private_subnet_ids)

  id = each.value
}
