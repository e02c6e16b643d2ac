# Every Object Created reason (PutObject, POST Object, CopyObject,
# CompleteMultipartUpload) starts the pipeline: the pattern names no reason.
resource "aws_cloudwatch_event_rule" "object_created" {
  name        = "${var.name}-object-created"
  description = "Objects created under the watched prefixes of ${local.ingest_bucket_name}."
  tags        = var.tags

  event_pattern = jsonencode({
    source      = ["aws.s3"]
    detail-type = ["Object Created"]
    detail = {
      bucket = { name = [local.ingest_bucket_name] }
      object = { key = [for p in var.ingest.prefixes : { prefix = p }] }
    }
  })
}

resource "aws_cloudwatch_event_target" "intake" {
  rule      = aws_cloudwatch_event_rule.object_created.name
  target_id = "intake-queue"
  arn       = aws_sqs_queue.intake.arn

  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }

  # Events EventBridge could not deliver within a day land here.
  dead_letter_config {
    arn = aws_sqs_queue.events_dlq.arn
  }
}
