output "ingest_bucket" {
  description = "Name of the ingest bucket: uploads under the watched prefixes start the pipeline."
  value       = local.ingest_bucket_name
}

output "watched_prefixes" {
  description = "Key prefixes of the ingest bucket that start the pipeline."
  value       = var.ingest.prefixes
}

output "output_buckets" {
  description = "Names of the buckets the pipeline writes to, by role: approved, quarantine, redacted and work."
  value       = { for b in local.output_buckets : b => aws_s3_bucket.this[b].bucket }
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the pipeline's data. Uploaders need kms:GenerateDataKey on it; readers of the outputs need kms:Decrypt."
  value       = aws_kms_key.this.arn
}

output "state_machine_arn" {
  description = "ARN of the moderation state machine."
  value       = aws_sfn_state_machine.this.arn
}

output "intake_queue_url" {
  description = "URL of the SQS intake queue between EventBridge and the starter."
  value       = aws_sqs_queue.intake.url
}

output "dead_letter_queue_urls" {
  description = "URLs of the dead-letter queues: intake (events the starter could not handle) and events (events EventBridge could not deliver)."
  value = {
    intake = aws_sqs_queue.intake_dlq.url
    events = aws_sqs_queue.events_dlq.url
  }
}

output "tables" {
  description = "Names of the DynamoDB tables: outcomes, reviews, audit and jobs."
  value = {
    outcomes = aws_dynamodb_table.outcomes.name
    reviews  = aws_dynamodb_table.reviews.name
    audit    = aws_dynamodb_table.audit.name
    jobs     = aws_dynamodb_table.jobs.name
  }
}

output "function_names" {
  description = "Names of the Lambda functions, keyed by function (inspect, decide, ...)."
  value       = local.function_names
}

output "function_role_policies" {
  description = "Inline IAM policy of each function's role, as JSON, keyed by function."
  value       = merge({ for k, m in module.task_function : k => m.policy_json }, { for k, m in module.service_function : k => m.policy_json })
}

output "function_permissions" {
  description = "Statements of each function role's inline policy (sid, actions, resources), keyed by function."
  value       = merge({ for k, m in module.task_function : k => m.statements }, { for k, m in module.service_function : k => m.statements })
}

output "review_api_url" {
  description = "Base URL of the review API; null unless review.create_api is true."
  value       = one(aws_apigatewayv2_stage.review[*].invoke_url)
}

output "outcome_event_bus" {
  description = "Name of the EventBridge bus that receives a Moderation Decided event per outcome."
  value       = aws_cloudwatch_event_bus.outcomes.name
}

output "topics" {
  description = "ARNs of the SNS topics: moderators (new reviews), job_completion (asynchronous AWS jobs) and alarms."
  value = {
    moderators     = aws_sns_topic.moderators.arn
    job_completion = aws_sns_topic.job_completion.arn
    alarms         = aws_sns_topic.alarms.arn
  }
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms."
  value = concat(
    [aws_cloudwatch_metric_alarm.failed_executions.alarm_name, aws_cloudwatch_metric_alarm.oldest_pending_review.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.dlq_depth : a.alarm_name],
    [for m in module.task_function : "${m.name}-errors"],
    [for m in module.service_function : "${m.name}-errors"],
  )
}
