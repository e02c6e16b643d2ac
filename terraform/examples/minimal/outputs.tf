output "ingest_bucket" {
  description = "Bucket to upload to, under uploads/."
  value       = module.moderato.ingest_bucket
}

output "tables" {
  description = "Names of the DynamoDB tables; outcomes holds one record per upload."
  value       = module.moderato.tables
}
