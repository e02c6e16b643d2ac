output "arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "invoke_arn" {
  description = "ARN that API Gateway uses to invoke the function."
  value       = aws_lambda_function.this.invoke_arn
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the function's execution role."
  value       = aws_iam_role.this.name
}

output "statements" {
  description = "Statements of the role's inline policy: sid, actions, resources and conditions of each."
  value       = local.statements
}

output "policy_json" {
  description = "The role's inline policy document, as JSON."
  value       = data.aws_iam_policy_document.this.json
}

output "log_group_name" {
  description = "Name of the function's log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "error_alarm_arn" {
  description = "ARN of the alarm on the function's errors."
  value       = aws_cloudwatch_metric_alarm.errors.arn
}
