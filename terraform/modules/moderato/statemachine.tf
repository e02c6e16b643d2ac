resource "aws_cloudwatch_log_group" "statemachine" {
  name              = "/aws/vendedlogs/states/${var.name}-moderation"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = var.tags
}

data "aws_iam_policy_document" "statemachine_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "statemachine" {
  name               = "${var.name}-statemachine"
  assume_role_policy = data.aws_iam_policy_document.statemachine_assume.json
  tags               = var.tags
}

locals {
  # review_reminders names the state machine in its metric before the
  # state machine exists, so the name is known without the resource.
  state_machine_name = "${var.name}-moderation"

  # The functions the definition's Task states call.
  state_machine_functions = { for name, m in module.task_function : name => m if name != "review_reminders" }
}

data "aws_iam_policy_document" "statemachine" {
  statement {
    sid       = "InvokeTaskFunctions"
    actions   = ["lambda:InvokeFunction"]
    resources = flatten([for m in local.state_machine_functions : [m.arn, "${m.arn}:*"]])
  }

  # Log delivery to CloudWatch Logs is configured through these account-level
  # APIs, which have no resource-level permissions.
  statement {
    sid = "DeliverLogs"
    actions = [
      "logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies",
      "logs:GetLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:UpdateLogDelivery",
    ]
    resources = ["*"]
  }

  # X-Ray has no resource-level permissions for sending traces.
  statement {
    sid       = "WriteTraces"
    actions   = ["xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "statemachine" {
  name   = "${var.name}-statemachine"
  role   = aws_iam_role.statemachine.id
  policy = data.aws_iam_policy_document.statemachine.json
}

# Standard, not Express: only a Standard workflow can wait for a task token.
resource "aws_sfn_state_machine" "this" {
  name     = local.state_machine_name
  type     = "STANDARD"
  role_arn = aws_iam_role.statemachine.arn
  tags     = var.tags

  definition = templatefile(local.definition_file, merge(
    { for name, m in local.state_machine_functions : "${name}_function_arn" => m.arn },
    {
      review_timeout_seconds = var.review.timeout_seconds
      job_timeout_seconds    = var.jobs.timeout_seconds
    },
  ))

  # Execution data holds object keys and analysis results, so only errors
  # are logged, without the data.
  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.statemachine.arn}:*"
    include_execution_data = false
    level                  = "ERROR"
  }

  tracing_configuration {
    enabled = true
  }

  lifecycle {
    precondition {
      condition     = var.policy_json == null || try(jsondecode(var.policy_json).review.timeout_seconds, var.review.timeout_seconds) == var.review.timeout_seconds
      error_message = "The policy's review.timeout_seconds differs from review.timeout_seconds: set both to the same number of seconds, because the state machine stops waiting after review.timeout_seconds."
    }
  }

  depends_on = [aws_iam_role_policy.statemachine]
}
