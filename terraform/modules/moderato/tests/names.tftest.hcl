# Names, tags, the rendered definition and the existing-bucket switch.

mock_provider "aws" {
  source = "./tests/mocks"
}

# Distinct ARNs where the tests tell resources of one type apart.
override_resource {
  target = aws_dynamodb_table.audit
  values = { arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/modtest-audit" }
}

variables {
  name = "modtest"
  functions = {
    package_files = {
      for fn in [
        "starter", "inspect", "normalize_image", "moderate_text", "detect_pii_text", "moderate_image",
        "detect_pii_image", "extract_text", "start_job", "job_callback", "poll_jobs", "decide", "request_review",
        "record_outcome", "review_api", "review_reminders",
      ] : fn => "tests/testdata/bootstrap.zip"
    }
  }
}

run "without_review_api" {
  command = apply

  variables {
    review = { create_api = false }
  }

  assert {
    condition     = length(aws_apigatewayv2_api.review) == 0 && output.review_api_url == null && !contains(keys(output.function_names), "review_api")
    error_message = "No review API may be created when review.create_api is false."
  }
}

run "names_and_tags" {
  command = apply

  variables {
    tags = { Team = "trust-and-safety" }
  }

  assert {
    condition     = output.function_names["inspect"] == "modtest-inspect" && length(output.function_names) == 16
    error_message = "Functions must be named <name>-<function>, one per function."
  }

  assert {
    condition     = output.ingest_bucket == "modtest-ingest-123456789012"
    error_message = "The ingest bucket must be named <name>-ingest-<account>."
  }

  assert {
    condition     = output.output_buckets["quarantine"] == "modtest-quarantine-123456789012"
    error_message = "Output buckets must be named <name>-<role>-<account>."
  }

  assert {
    condition     = aws_sfn_state_machine.this.name == "modtest-moderation" && aws_sfn_state_machine.this.type == "STANDARD"
    error_message = "The state machine must be a Standard workflow named <name>-moderation: only Standard workflows wait for task tokens."
  }

  assert {
    condition     = aws_s3_bucket.this["ingest"].tags["Team"] == "trust-and-safety" && aws_sqs_queue.intake.tags["Team"] == "trust-and-safety"
    error_message = "Tags must reach the resources."
  }

  assert {
    condition     = !strcontains(aws_sfn_state_machine.this.definition, "$${")
    error_message = "The rendered definition must have no placeholder left."
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).States["Wait for review"].TimeoutSeconds == 86400
    error_message = "The review wait must time out after review.timeout_seconds."
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).States["Decide"].Resource == module.task_function["decide"].arn
    error_message = "Decide must call the decide function."
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).States["Wait for review"].Parameters.FunctionName == module.task_function["request_review"].arn
    error_message = "Wait for review must call the request_review function."
  }

  assert {
    condition     = aws_sfn_state_machine.this.logging_configuration[0].include_execution_data == false
    error_message = "Execution data holds object keys and analysis results and must not be logged."
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.object_created.event_pattern).detail.bucket.name == ["modtest-ingest-123456789012"]
    error_message = "The rule must match the ingest bucket only, so outputs never start the pipeline."
  }

  assert {
    condition     = !can(jsondecode(aws_cloudwatch_event_rule.object_created.event_pattern).detail.reason)
    error_message = "The rule must match every Object Created reason, multipart uploads and copies included."
  }

  assert {
    condition     = aws_s3_bucket_notification.ingest[0].eventbridge
    error_message = "The created ingest bucket must send its events to EventBridge."
  }

  assert {
    condition     = jsondecode(aws_sqs_queue.intake.redrive_policy).maxReceiveCount == 5
    error_message = "The intake queue must move an event to its dead-letter queue after intake.max_receive_count deliveries."
  }

  assert {
    condition     = aws_dynamodb_table.outcomes.point_in_time_recovery[0].enabled && aws_dynamodb_table.reviews.point_in_time_recovery[0].enabled
    error_message = "The tables must have point-in-time recovery by default."
  }

  assert {
    condition     = aws_dynamodb_table.jobs.ttl[0].enabled && aws_dynamodb_table.jobs.ttl[0].attribute_name == "expires_at"
    error_message = "Job tokens must expire through the expires_at TTL attribute."
  }

  assert {
    condition     = length(aws_apigatewayv2_api.review) == 1 && keys(aws_apigatewayv2_route.review) == ["ANY /api/{proxy+}"] && aws_apigatewayv2_route.page[0].route_key == "GET /"
    error_message = "The review API must be created by default, with the page route and the API proxy route."
  }

  assert {
    condition     = length(output.alarm_names) == 20
    error_message = "Expected alarms on failed executions, the oldest pending review, two dead-letter queues and each of the 16 functions."
  }
}

run "existing_bucket" {
  command = apply

  variables {
    ingest = { existing_bucket = "uploads-of-an-app", prefixes = ["incoming/"] }
  }

  assert {
    condition     = !contains(keys(aws_s3_bucket.this), "ingest")
    error_message = "No ingest bucket may be created when an existing one is given."
  }

  assert {
    condition     = length(aws_s3_bucket_notification.ingest) == 0
    error_message = "The existing bucket's notification configuration must stay untouched unless ingest.manage_notifications is true."
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.object_created.event_pattern).detail.bucket.name == ["uploads-of-an-app"]
    error_message = "The rule must watch the existing bucket."
  }

  assert {
    condition     = output.ingest_bucket == "uploads-of-an-app"
    error_message = "The ingest_bucket output must name the existing bucket."
  }
}

run "existing_bucket_managed_notifications" {
  command = apply

  variables {
    ingest = { existing_bucket = "uploads-of-an-app", manage_notifications = true }
  }

  assert {
    condition     = aws_s3_bucket_notification.ingest[0].bucket == "uploads-of-an-app" && aws_s3_bucket_notification.ingest[0].eventbridge
    error_message = "With manage_notifications, EventBridge notifications of the existing bucket must be turned on."
  }
}

run "iam_authorization" {
  command = apply

  variables {
    review = { create_api = true }
  }

  assert {
    condition     = aws_apigatewayv2_route.page[0].authorization_type == "NONE"
    error_message = "The review page holds no data and must load without credentials."
  }

  assert {
    condition     = alltrue([for r in aws_apigatewayv2_route.review : r.authorization_type == "AWS_IAM"])
    error_message = "Every review route must require SigV4 by default."
  }

}

run "jwt_authorization" {
  command = apply

  variables {
    review = { create_api = true, authorization = "JWT", jwt_issuer = "https://auth.example.com/", jwt_audience = ["moderators"] }
  }

  assert {
    condition     = alltrue([for r in aws_apigatewayv2_route.review : r.authorization_type == "JWT" && r.authorizer_id == aws_apigatewayv2_authorizer.jwt[0].id])
    error_message = "With JWT, every review route must use the JWT authorizer."
  }
}
