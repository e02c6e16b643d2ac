resource "aws_sqs_queue" "intake_dlq" {
  name                      = "${var.name}-intake-dlq"
  kms_master_key_id         = aws_kms_key.this.arn
  message_retention_seconds = 1209600
  tags                      = var.tags
}

# The starter's invocations take at most 30 s; the visibility timeout is six
# times that, as AWS recommends for Lambda event sources, so a message is
# not redelivered while a batch is still being processed.
resource "aws_sqs_queue" "intake" {
  name                       = "${var.name}-intake"
  kms_master_key_id          = aws_kms_key.this.arn
  visibility_timeout_seconds = 180
  message_retention_seconds  = 345600
  tags                       = var.tags

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.intake_dlq.arn
    maxReceiveCount     = var.intake.max_receive_count
  })
}

resource "aws_sqs_queue" "events_dlq" {
  name                      = "${var.name}-events-dlq"
  kms_master_key_id         = aws_kms_key.this.arn
  message_retention_seconds = 1209600
  tags                      = var.tags
}

data "aws_iam_policy_document" "queue_from_rule" {
  for_each = {
    intake     = aws_sqs_queue.intake.arn
    events_dlq = aws_sqs_queue.events_dlq.arn
  }

  statement {
    sid       = "EventBridgeSends"
    actions   = ["sqs:SendMessage"]
    resources = [each.value]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.object_created.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "intake" {
  queue_url = aws_sqs_queue.intake.url
  policy    = data.aws_iam_policy_document.queue_from_rule["intake"].json
}

resource "aws_sqs_queue_policy" "events_dlq" {
  queue_url = aws_sqs_queue.events_dlq.url
  policy    = data.aws_iam_policy_document.queue_from_rule["events_dlq"].json
}

resource "aws_lambda_event_source_mapping" "intake" {
  event_source_arn        = aws_sqs_queue.intake.arn
  function_name           = module.service_function["starter"].arn
  batch_size              = var.intake.batch_size
  function_response_types = ["ReportBatchItemFailures"]

  dynamic "scaling_config" {
    for_each = var.intake.max_concurrency == null ? [] : [var.intake.max_concurrency]
    content {
      maximum_concurrency = scaling_config.value
    }
  }
}
