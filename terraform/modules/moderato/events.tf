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

# review_reminders runs on review.reminder_schedule: a reminder lists each
# review pending longer than review.remind_after, and each run publishes
# the oldest pending review's age for its alarm.
resource "aws_cloudwatch_event_rule" "review_reminders" {
  name                = "${var.name}-review-reminders"
  description         = "Reminder of pending reviews and their oldest age, on ${var.review.reminder_schedule}."
  schedule_expression = var.review.reminder_schedule
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

# The ends of the pipeline's Transcribe jobs reach job_callback. Transcribe
# publishes them to the default bus; the pipeline names its jobs
# "moderato-<request token>".
#
# NOTE: the job name prefix does not include var.name, so two stacks in one
# account and region receive each other's Transcribe events. job_callback
# finds no task token for a job of the other stack and ignores it.
resource "aws_cloudwatch_event_rule" "transcribe_job_state" {
  name        = "${var.name}-transcribe-job-state"
  description = "Completed and failed Amazon Transcribe jobs of the pipeline."
  tags        = var.tags

  event_pattern = jsonencode({
    source      = ["aws.transcribe"]
    detail-type = ["Transcribe Job State Change"]
    detail = {
      TranscriptionJobStatus = ["COMPLETED", "FAILED"]
      TranscriptionJobName   = [{ prefix = local.transcription_job_prefix }]
    }
  })
}

resource "aws_cloudwatch_event_target" "transcribe_job_state" {
  rule      = aws_cloudwatch_event_rule.transcribe_job_state.name
  target_id = "job-callback"
  arn       = module.service_function["job_callback"].arn
}

resource "aws_lambda_permission" "transcribe_job_state" {
  statement_id  = "AllowTranscribeJobEvents"
  action        = "lambda:InvokeFunction"
  function_name = module.service_function["job_callback"].name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.transcribe_job_state.arn
}

# poll_jobs finishes the jobs whose completion notification never came,
# because SNS and EventBridge deliveries are best-effort.
resource "aws_cloudwatch_event_rule" "poll_jobs" {
  name                = "${var.name}-poll-jobs"
  description         = "Finishes long-running jobs whose completion notification did not arrive."
  schedule_expression = var.jobs.poll_schedule
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "poll_jobs" {
  rule      = aws_cloudwatch_event_rule.poll_jobs.name
  target_id = "poll-jobs"
  arn       = module.service_function["poll_jobs"].arn
}

resource "aws_lambda_permission" "poll_jobs" {
  statement_id  = "AllowPollSchedule"
  action        = "lambda:InvokeFunction"
  function_name = module.service_function["poll_jobs"].name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.poll_jobs.arn
}
