# Mocked AWS provider defaults shared by the tests in ../: ARNs and JSON
# that the provider validates even when mocked.

mock_data "aws_caller_identity" {
  defaults = { account_id = "123456789012" }
}
mock_data "aws_region" {
  defaults = { name = "eu-west-1" }
}
mock_data "aws_partition" {
  defaults = { partition = "aws" }
}
# The provider validates policy arguments as JSON even when mocked.
mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}
# The provider checks that these attributes hold ARNs even when mocked.
mock_resource "aws_kms_key" {
  defaults = { arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555" }
}
mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:mocked" }
}
mock_resource "aws_lambda_function" {
  defaults = {
    arn        = "arn:aws:lambda:eu-west-1:123456789012:function:mocked"
    invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:mocked/invocations"
  }
}
mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/mocked" }
}
mock_resource "aws_sfn_state_machine" {
  defaults = { arn = "arn:aws:states:eu-west-1:123456789012:stateMachine:modtest-moderation" }
}
mock_resource "aws_apigatewayv2_api" {
  defaults = { execution_arn = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234" }
}
mock_resource "aws_cloudwatch_event_bus" {
  defaults = { arn = "arn:aws:events:eu-west-1:123456789012:event-bus/modtest-outcomes" }
}
mock_resource "aws_cloudwatch_event_rule" {
  defaults = { arn = "arn:aws:events:eu-west-1:123456789012:rule/modtest-object-created" }
}
mock_resource "aws_dynamodb_table" {
  defaults = { arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/mocked" }
}

# Distinct ARNs where the tests tell resources of one type apart.
override_resource {
  target = aws_sns_topic.moderators
  values = { arn = "arn:aws:sns:eu-west-1:123456789012:modtest-moderators" }
}

override_resource {
  target = aws_sns_topic.alarms
  values = { arn = "arn:aws:sns:eu-west-1:123456789012:modtest-alarms" }
}

override_resource {
  target = aws_sns_topic.job_completion
  values = { arn = "arn:aws:sns:eu-west-1:123456789012:modtest-job-completion" }
}

override_resource {
  target = aws_sqs_queue.intake
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:modtest-intake" }
}

override_resource {
  target = aws_sqs_queue.intake_dlq
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:modtest-intake-dlq" }
}

override_resource {
  target = aws_sqs_queue.events_dlq
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:modtest-events-dlq" }
}

override_resource {
  target = aws_dynamodb_table.outcomes
  values = { arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/modtest-outcomes" }
}

override_resource {
  target = aws_dynamodb_table.reviews
  values = { arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/modtest-reviews" }
}
