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

# record_outcome publishes one "Moderation Decided" event (source moderato)
# per outcome here; applications subscribe with their own rules.
resource "aws_cloudwatch_event_bus" "outcomes" {
  name = "${var.name}-outcomes"
  tags = var.tags
}

# review_reminders runs every hour; a reminder lists each review pending
# longer than review.remind_after.
resource "aws_cloudwatch_event_rule" "review_reminders" {
  name                = "${var.name}-review-reminders"
  description         = "Hourly reminder of pending reviews."
  schedule_expression = "rate(1 hour)"
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "review_reminders" {
  rule      = aws_cloudwatch_event_rule.review_reminders.name
  target_id = "review-reminders"
  arn       = module.task_function["review_reminders"].arn
}

resource "aws_lambda_permission" "review_reminders" {
  statement_id  = "AllowReminderSchedule"
  action        = "lambda:InvokeFunction"
  function_name = module.task_function["review_reminders"].name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.review_reminders.arn
}
