# Review settings: queues, grants, quorum, escalation, reminders and the
# oldest-pending-review metric reach the functions, the schedule and the
# alarm, and invalid settings are rejected at plan time.

mock_provider "aws" {
  source = "./tests/mocks"
}

# Distinct ARNs where the tests tell resources of one type apart.
override_resource {
  target = aws_iam_role.job_completion
  values = { arn = "arn:aws:iam::123456789012:role/modtest-job-completion" }
}

override_resource {
  target = aws_dynamodb_table.jobs
  values = { arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/modtest-jobs" }
}

override_resource {
  target = aws_dynamodb_table.audit
  values = { arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/modtest-audit", name = "modtest-audit" }
}

override_resource {
  target = aws_apigatewayv2_api.review
  values = { api_endpoint = "https://abcdef1234.execute-api.eu-west-1.amazonaws.com", execution_arn = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234" }
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

run "review_settings" {
  command = apply

  variables {
    policy_json = "{\"review\": {\"timeout_seconds\": 86400, \"escalation\": {\"queue\": \"senior\", \"timeout_seconds\": 43200}}}"
    review = {
      queues            = { image = "visual", video = "visual" }
      default_queue     = "general"
      restrict_queues   = true
      iam_queues        = { "arn:aws:iam::123456789012:role/visual" = ["visual", "general"], "arn:aws:iam::123456789012:role/senior" = ["senior"] }
      quorum            = 2
      remind_after      = "2h"
      reminder_schedule = "rate(15 minutes)"
    }
  }

  assert {
    condition     = local.environment["request_review"].REVIEW_QUEUES == jsonencode({ image = "visual", video = "visual" }) && local.environment["request_review"].DEFAULT_QUEUE == "general"
    error_message = "request_review stores each review's queue, so it needs the queue routing."
  }

  assert {
    condition     = local.environment["request_review"].AUDIT_TABLE == "modtest-audit"
    error_message = "request_review records escalations in the audit table."
  }

  assert {
    condition     = local.environment["request_review"].REVIEW_PAGE_URL == "https://abcdef1234.execute-api.eu-west-1.amazonaws.com/" && local.environment["review_reminders"].REVIEW_PAGE_URL == "https://abcdef1234.execute-api.eu-west-1.amazonaws.com/"
    error_message = "Notifications and reminders must link to the review page."
  }

  assert {
    condition = alltrue([
      local.service_functions["review_api"].environment.RESTRICT_QUEUES == "true",
      local.service_functions["review_api"].environment.REVIEW_QUORUM == "2",
      local.service_functions["review_api"].environment.DEFAULT_QUEUE == "general",
      local.service_functions["review_api"].environment.REVIEW_QUEUES == jsonencode({ image = "visual", video = "visual" }),
      jsondecode(local.service_functions["review_api"].environment.IAM_QUEUES)["arn:aws:iam::123456789012:role/senior"] == ["senior"],
    ])
    error_message = "The review API must get the queue restriction, the grants, the routing and the quorum."
  }

  assert {
    condition     = local.environment["review_reminders"].REMIND_AFTER == "2h" && aws_cloudwatch_event_rule.review_reminders.schedule_expression == "rate(15 minutes)"
    error_message = "The reminders must run on review.reminder_schedule with review.remind_after."
  }

  assert {
    condition = alltrue([
      local.environment["review_reminders"].STATE_MACHINE_NAME == aws_sfn_state_machine.this.name,
      aws_cloudwatch_metric_alarm.oldest_pending_review.dimensions["StateMachine"] == aws_sfn_state_machine.this.name,
      aws_cloudwatch_metric_alarm.oldest_pending_review.namespace == "Moderato",
      aws_cloudwatch_metric_alarm.oldest_pending_review.metric_name == "OldestPendingReviewAgeSeconds",
    ])
    error_message = "The alarm must watch the metric that review_reminders publishes, with the same dimension."
  }

  assert {
    condition = anytrue([
      for s in output.function_permissions["review_reminders"] : jsonencode(s.actions) == jsonencode(["cloudwatch:PutMetricData"]) && jsonencode(s.resources) == jsonencode(["*"]) && jsonencode(s.conditions) == jsonencode([{ test = "StringEquals", variable = "cloudwatch:namespace", values = ["Moderato"] }])
    ])
    error_message = "review_reminders may put metrics in the Moderato namespace only."
  }

  assert {
    condition     = toset(flatten([for s in output.function_permissions["request_review"] : s.actions if contains(s.resources, aws_dynamodb_table.audit.arn)])) == toset(["dynamodb:PutItem", "dynamodb:Query"])
    error_message = "request_review may only append to and read the audit table."
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).States["Wait for escalated review"].TimeoutSecondsPath == "$.decision.escalation.timeout_seconds"
    error_message = "The escalated review wait must take its timeout from the policy's escalation in the decision."
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).States["Wait for escalated review"].Parameters.FunctionName == module.task_function["request_review"].arn
    error_message = "Wait for escalated review must call the request_review function."
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).States["Wait for review"].Catch[0].Next == "Escalate?"
    error_message = "A timed-out review must go to the Escalate? choice."
  }
}

run "default_review_settings" {
  command = apply

  assert {
    condition     = aws_cloudwatch_event_rule.review_reminders.schedule_expression == "rate(1 hour)" && local.environment["request_review"].DEFAULT_QUEUE == "default"
    error_message = "The reminders run hourly and reviews go to the default queue unless configured."
  }

  assert {
    condition     = !contains(keys(local.environment["request_review"]), "REVIEW_QUEUES") && !contains(keys(local.service_functions["review_api"].environment), "IAM_QUEUES")
    error_message = "Unset routing and grants must leave their variables out."
  }

  assert {
    condition     = local.service_functions["review_api"].environment.RESTRICT_QUEUES == "false" && local.service_functions["review_api"].environment.REVIEW_QUORUM == "1"
    error_message = "Queues are open and one decision settles a review by default."
  }

  assert {
    condition     = toset(keys(aws_s3_bucket_cors_configuration.review_previews)) == toset(["redacted", "work"])
    error_message = "The page fetches previews from the redacted and work buckets, and originals are not shown by default."
  }

  assert {
    condition = alltrue([for c in aws_s3_bucket_cors_configuration.review_previews : alltrue([
      for rule in c.cors_rule : rule.allowed_origins == toset(["https://abcdef1234.execute-api.eu-west-1.amazonaws.com"]) && rule.allowed_methods == toset(["GET"])
    ])])
    error_message = "The preview buckets must allow GET from the review API's origin only."
  }
}

run "original_preview_cors" {
  command = apply

  variables {
    review = { allow_original_preview = true }
  }

  assert {
    condition     = toset(keys(aws_s3_bucket_cors_configuration.review_previews)) == toset(["redacted", "work", "ingest"])
    error_message = "With allow_original_preview the page also fetches originals from the ingest bucket."
  }
}

run "without_api_no_page_link" {
  command = apply

  variables {
    review = { create_api = false }
  }

  assert {
    condition     = !contains(keys(local.environment["request_review"]), "REVIEW_PAGE_URL")
    error_message = "Without the review API there is no page to link to."
  }

  assert {
    condition     = length(aws_s3_bucket_cors_configuration.review_previews) == 0
    error_message = "Without the review page no bucket needs CORS."
  }
}

run "rejects_ungranted_escalation_queue" {
  command = plan

  variables {
    policy_json = "{\"review\": {\"timeout_seconds\": 86400, \"escalation\": {\"queue\": \"senior\", \"timeout_seconds\": 600}}}"
    review = {
      restrict_queues = true
      iam_queues      = { "arn:aws:iam::123456789012:role/moderators" = ["default"] }
    }
  }

  expect_failures = [aws_apigatewayv2_api.review]
}

run "accepts_ungranted_queue_with_jwt" {
  command = plan

  variables {
    policy_json = "{\"review\": {\"timeout_seconds\": 86400, \"escalation\": {\"queue\": \"senior\", \"timeout_seconds\": 600}}}"
    review = {
      restrict_queues = true
      authorization   = "JWT"
      jwt_issuer      = "https://auth.example.com/"
      jwt_audience    = ["moderators"]
    }
  }
}

run "rejects_invalid_policy_escalation" {
  command = plan
  variables {
    policy_json = "{\"review\": {\"escalation\": {\"queue\": \"senior mods\", \"timeout_seconds\": 600}}}"
  }
  expect_failures = [var.policy_json]
}

run "rejects_policy_escalation_without_timeout" {
  command = plan
  variables {
    policy_json = "{\"review\": {\"escalation\": {\"queue\": \"senior\"}}}"
  }
  expect_failures = [var.policy_json]
}

run "rejects_invalid_reminder_schedule" {
  command = plan
  variables {
    review = { reminder_schedule = "every hour" }
  }
  expect_failures = [var.review]
}

run "rejects_unknown_queue_media_type" {
  command = plan
  variables {
    review = { queues = { pictures = "visual" } }
  }
  expect_failures = [var.review]
}

run "rejects_invalid_queue_name" {
  command = plan
  variables {
    review = { default_queue = "senior mods" }
  }
  expect_failures = [var.review]
}

run "rejects_quorum_over_ten" {
  command = plan
  variables {
    review = { quorum = 11 }
  }
  expect_failures = [var.review]
}

run "rejects_iam_queues_with_jwt" {
  command = plan
  variables {
    review = {
      authorization = "JWT"
      jwt_issuer    = "https://auth.example.com/"
      jwt_audience  = ["moderators"]
      iam_queues    = { "arn:aws:iam::123456789012:role/moderators" = ["default"] }
    }
  }
  expect_failures = [var.review]
}
