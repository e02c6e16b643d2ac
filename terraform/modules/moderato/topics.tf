# request_review tells moderators of new reviews here, and review_reminders
# of reviews still pending. Messages carry review IDs and reasons, never
# content or PII values.
resource "aws_sns_topic" "moderators" {
  name              = "${var.name}-moderators"
  kms_master_key_id = aws_kms_key.this.arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "moderators" {
  for_each = toset(var.review.moderator_emails)

  topic_arn = aws_sns_topic.moderators.arn
  protocol  = "email"
  endpoint  = each.value
}

# Completion notifications of Rekognition Video and Textract jobs, which
# these services publish with the job_completion role (JOB_TOPIC_ROLE_ARN of
# the job functions). Transcribe reports through EventBridge instead.
resource "aws_sns_topic" "job_completion" {
  name              = "${var.name}-job-completion"
  kms_master_key_id = aws_kms_key.this.arn
  tags              = var.tags
}

data "aws_iam_policy_document" "job_completion_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["rekognition.amazonaws.com", "textract.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "job_completion" {
  name               = "${var.name}-job-completion"
  assume_role_policy = data.aws_iam_policy_document.job_completion_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "job_completion" {
  statement {
    sid       = "PublishCompletion"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.job_completion.arn]
  }

  statement {
    sid       = "UseTopicKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]
  }
}

resource "aws_iam_role_policy" "job_completion" {
  name   = "publish-completion"
  role   = aws_iam_role.job_completion.id
  policy = data.aws_iam_policy_document.job_completion.json
}

resource "aws_sns_topic_subscription" "job_completion" {
  topic_arn = aws_sns_topic.job_completion.arn
  protocol  = "lambda"
  endpoint  = module.service_function["job_callback"].arn
}

resource "aws_lambda_permission" "job_completion" {
  statement_id  = "AllowJobCompletionTopic"
  action        = "lambda:InvokeFunction"
  function_name = module.service_function["job_callback"].name
  principal     = "sns.amazonaws.com"
  source_arn    = aws_sns_topic.job_completion.arn
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.this.arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "alarms" {
  for_each = toset(var.alarms.emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}
