# Cairn generates provider "aws" (and the backend). The helm and kubernetes providers talk to the
# cluster this stage is wired to; the token is ephemeral, so it never lands in the state or plan.
ephemeral "aws_eks_cluster_auth" "this" {
  name = var.cluster_name
}

provider "kubernetes" {
  host                   = var.cluster_endpoint
  cluster_ca_certificate = base64decode(var.cluster_certificate_authority_data)
  token                  = ephemeral.aws_eks_cluster_auth.this.token
}

provider "helm" {
  kubernetes = {
    host                   = var.cluster_endpoint
    cluster_ca_certificate = base64decode(var.cluster_certificate_authority_data)
    token                  = ephemeral.aws_eks_cluster_auth.this.token
  }
}
