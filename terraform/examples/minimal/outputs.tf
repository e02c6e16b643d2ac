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
