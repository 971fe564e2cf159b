terraform {
  # Terraform 1.11 for write-only attributes, which keep the generated Keycloak admin password out
  # of the state; aws 5.100 is the version tested with secret_string_wo and value_wo.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 6.0"
    }
  }
}
