terraform {
  # optional() attribute defaults need 1.3; mock providers in the tests need 1.7.
  required_version = ">= 1.7.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # logging_config on aws_lambda_function needs 5.40.
      version = ">= 5.40.0"
    }
  }
}
