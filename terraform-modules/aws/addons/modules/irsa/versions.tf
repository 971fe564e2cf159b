terraform {
  # 1.11: write-only attributes keep the generated Keycloak admin password out of the state.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.87, < 6.0"
    }
  }
}
