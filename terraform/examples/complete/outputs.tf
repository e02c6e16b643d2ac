output "ingest_bucket" {
  description = "Bucket to upload to, under one of the watched prefixes."
  value       = module.moderato.ingest_bucket
}

output "watched_prefixes" {
  description = "Key prefixes that start the pipeline."
  value       = module.moderato.watched_prefixes
}

output "output_buckets" {
  description = "Buckets the pipeline writes to: approved, quarantine, redacted and work."
  value       = module.moderato.output_buckets
}

output "kms_key_arn" {
  description = "KMS key that encrypts the pipeline's data."
  value       = module.moderato.kms_key_arn
}

output "state_machine_arn" {
  description = "ARN of the moderation state machine."
  value       = module.moderato.state_machine_arn
}

output "intake_queue_url" {
  description = "URL of the SQS intake queue."
  value       = module.moderato.intake_queue_url
}

output "dead_letter_queue_urls" {
  description = "URLs of the dead-letter queues."
  value       = module.moderato.dead_letter_queue_urls
}

output "tables" {
  description = "Names of the DynamoDB tables."
  value       = module.moderato.tables
}

output "function_names" {
  description = "Names of the Lambda functions, keyed by function."
  value       = module.moderato.function_names
}

output "function_role_policies" {
  description = "Inline IAM policy of each function's role, as JSON."
  value       = module.moderato.function_role_policies
}

output "review_api_url" {
  description = "Base URL of the review API; null when create_review_api is false."
  value       = module.moderato.review_api_url
}

output "outcome_event_bus" {
  description = "EventBridge bus with one Moderation Decided event per outcome."
  value       = module.moderato.outcome_event_bus
}

output "topics" {
  description = "ARNs of the SNS topics."
  value       = module.moderato.topics
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms."
  value       = module.moderato.alarm_names
}
