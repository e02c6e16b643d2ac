output "ingest_bucket" {
  description = "Bucket to upload to, under uploads/."
  value       = module.moderato.ingest_bucket
}

output "tables" {
  description = "Names of the DynamoDB tables; outcomes holds one record per upload."
  value       = module.moderato.tables
}

output "review_api_url" {
  description = "Base URL of the review API (SigV4-signed requests)."
  value       = module.moderato.review_api_url
}

output "kms_key_arn" {
  description = "KMS key that encrypts the pipeline's data; an uploader needs kms:GenerateDataKey on it."
  value       = module.moderato.kms_key_arn
}

output "state_machine_arn" {
  description = "ARN of the moderation state machine."
  value       = module.moderato.state_machine_arn
}
