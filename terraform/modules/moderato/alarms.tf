resource "aws_cloudwatch_metric_alarm" "failed_executions" {
  alarm_name          = "${var.name}-failed-executions"
  alarm_description   = "Executions failed: an outcome could not be recorded."
  namespace           = "AWS/States"
  metric_name         = "ExecutionsFailed"
  dimensions          = { StateMachineArn = aws_sfn_state_machine.this.arn }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  for_each = {
    intake = aws_sqs_queue.intake_dlq.name
    events = aws_sqs_queue.events_dlq.name
  }

  alarm_name          = "${var.name}-${each.key}-dlq-depth"
  alarm_description   = "Messages wait in ${each.value}: S3 events that never started an execution."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags
}

# AWS publishes no metric for the age of a pending review: review_reminders
# puts Moderato/OldestPendingReviewAgeSeconds on every scheduled run (0 when
# no review is pending). Runs may be further apart than the period, so missing
# data keeps the alarm's state until the next run instead of resetting it.
resource "aws_cloudwatch_metric_alarm" "oldest_pending_review" {
  alarm_name          = "${var.name}-oldest-pending-review"
  alarm_description   = "A review has waited for a moderator longer than ${var.alarms.oldest_review_age_seconds} seconds."
  namespace           = "Moderato"
  metric_name         = "OldestPendingReviewAgeSeconds"
  dimensions          = { StateMachine = local.state_machine_name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.alarms.oldest_review_age_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "ignore"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags
}
