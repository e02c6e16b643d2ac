provider "aws" {
  region = var.region
}

# Every input keeps its default: a new ingest bucket watched under uploads/,
# the built-in policy, reviews through an IAM-authenticated API.
module "moderato" {
  source = "../../modules/moderato"
}
