# IAM: each function's role allows what its code calls, on the resources
# it touches, and nothing more.

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

run "grants" {
  command = apply

  assert {
    condition = alltrue(flatten([
      for fn, statements in output.function_permissions : [
        for s in statements : [for a in s.actions : a != "*" && !endswith(a, ":*")]
      ]
    ]))
    error_message = "A function's role allows a wildcard action."
  }

  assert {
    condition = alltrue(flatten([
      for fn, statements in output.function_permissions : [
        for s in statements : [
          # Actions that AWS offers no resource-level permission for.
          for a in s.actions : contains([
            "comprehend:DetectDominantLanguage", "comprehend:DetectPiiEntities", "comprehend:DetectToxicContent",
            "rekognition:DetectModerationLabels", "textract:DetectDocumentText", "xray:PutTelemetryRecords", "xray:PutTraceSegments",
            "rekognition:StartContentModeration", "rekognition:GetContentModeration",
            "textract:StartDocumentTextDetection", "textract:GetDocumentTextDetection",
            "cloudwatch:PutMetricData",
          ], a)
        ] if contains(s.resources, "*")
      ]
    ]))
    error_message = "A function's role allows an action on \"*\" although the action takes a resource."
  }

  assert {
    condition     = toset(flatten([for s in output.function_permissions["decide"] : s.actions])) == toset(["logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTelemetryRecords", "xray:PutTraceSegments"])
    error_message = "decide calls no AWS service, so its role must allow only its logs and traces."
  }

  assert {
    condition = anytrue([
      for s in output.function_permissions["starter"] : contains(s.actions, "states:StartExecution") && toset(s.resources) == toset([aws_sfn_state_machine.this.arn])
    ])
    error_message = "The starter must be allowed to start executions of this state machine only."
  }

  assert {
    condition = alltrue(flatten([
      for fn, statements in output.function_permissions : [
        for s in statements : [
          for r in s.resources : !startswith(r, "arn:aws:s3:::modtest-ingest-")
        ] if contains(s.actions, "s3:PutObject")
      ]
    ]))
    error_message = "No function may write objects into the ingest bucket: an output there would start the pipeline again."
  }

  assert {
    condition = alltrue(flatten([
      for s in output.function_permissions["inspect"] : [
        for r in s.resources : r == "*" || startswith(r, "arn:aws:s3:::modtest-ingest-123456789012") || r == aws_kms_key.this.arn || startswith(r, "arn:aws:logs:")
      ]
    ]))
    error_message = "inspect may touch only the ingest bucket, the key and its own log group."
  }

  assert {
    condition     = toset(flatten([for s in output.function_permissions["request_review"] : s.resources if contains(s.actions, "sns:Publish")])) == toset([aws_sns_topic.moderators.arn])
    error_message = "request_review may publish only to the moderator topic."
  }

  assert {
    condition     = toset(flatten([for s in output.function_permissions["record_outcome"] : s.resources if contains(s.actions, "dynamodb:PutItem")])) == toset([aws_dynamodb_table.outcomes.arn])
    error_message = "record_outcome may put items only into the outcomes table."
  }

  assert {
    condition     = toset(flatten([for s in output.function_permissions["inspect"] : s.resources if contains(s.actions, "s3:GetObject")])) == toset(["arn:aws:s3:::modtest-ingest-123456789012/uploads/*"])
    error_message = "inspect may read only objects under the watched prefix."
  }

  assert {
    condition     = length(flatten([for fn, statements in output.function_permissions : [for s in statements : s.actions if anytrue([for a in s.actions : startswith(a, "iam:")])] if fn != "start_job"])) == 0
    error_message = "No function but start_job may call IAM."
  }

  assert {
    condition = alltrue(flatten([
      for s in output.function_permissions["start_job"] : [
        toset(s.actions) == toset(["iam:PassRole"]) && toset(s.resources) == toset([aws_iam_role.job_completion.arn])
      ] if anytrue([for a in s.actions : startswith(a, "iam:")])
    ]))
    error_message = "start_job may only pass the role that Rekognition and Textract publish job completions with."
  }
}

run "job_grants" {
  command = apply

  assert {
    condition     = toset(flatten([for s in output.function_permissions["start_job"] : s.resources if contains(s.actions, "transcribe:StartTranscriptionJob")])) == toset(["arn:aws:transcribe:eu-west-1:123456789012:transcription-job/moderato-*"])
    error_message = "start_job may start only transcription jobs named as the pipeline names them."
  }

  assert {
    condition     = toset(flatten([for s in output.function_permissions["start_job"] : s.resources if contains(s.actions, "dynamodb:PutItem")])) == toset([aws_dynamodb_table.jobs.arn])
    error_message = "start_job may put items only into the jobs table."
  }

  assert {
    condition     = length([for s in output.function_permissions["start_job"] : s if anytrue([for a in s.actions : startswith(a, "states:") || a == "dynamodb:DeleteItem"])]) == 0
    error_message = "start_job stores task tokens; it may neither send them nor delete them."
  }

  assert {
    condition = alltrue([
      for fn in ["job_callback", "poll_jobs"] : anytrue([
        for s in output.function_permissions[fn] : toset(s.actions) == toset(["states:SendTaskFailure", "states:SendTaskSuccess"]) && toset(s.resources) == toset([aws_sfn_state_machine.this.arn])
      ])
    ])
    error_message = "job_callback and poll_jobs must complete task tokens of this state machine only."
  }

  assert {
    condition = alltrue([
      for fn in ["job_callback", "poll_jobs"] : toset(flatten([for s in output.function_permissions[fn] : s.resources if contains(s.actions, "dynamodb:DeleteItem")])) == toset([aws_dynamodb_table.jobs.arn])
    ])
    error_message = "job_callback and poll_jobs may take tokens only from the jobs table."
  }

  assert {
    condition     = length([for s in output.function_permissions["job_callback"] : s if contains(s.actions, "dynamodb:Scan")]) == 0 && length([for s in output.function_permissions["poll_jobs"] : s if contains(s.actions, "dynamodb:Scan")]) == 1
    error_message = "Only poll_jobs may scan the jobs table."
  }

  assert {
    condition = alltrue(flatten([
      for fn in ["start_job", "job_callback", "poll_jobs"] : [
        for s in output.function_permissions[fn] : [
          for r in s.resources : startswith(r, "${aws_s3_bucket.this["work"].arn}/")
        ] if contains(s.actions, "s3:PutObject")
      ]
    ]))
    error_message = "The job functions may write only into the work bucket."
  }
}

run "job_wiring" {
  command = apply

  variables {
    jobs = { timeout_seconds = 7200, poll_schedule = "rate(5 minutes)" }
  }

  assert {
    condition = alltrue([
      for state in ["Transcribe audio", "Detect document text"] : jsondecode(aws_sfn_state_machine.this.definition).States[state].TimeoutSeconds == 7200
    ])
    error_message = "The job states must time out after jobs.timeout_seconds."
  }

  assert {
    condition     = aws_sns_topic_subscription.job_completion.topic_arn == aws_sns_topic.job_completion.arn && aws_sns_topic_subscription.job_completion.protocol == "lambda" && aws_sns_topic_subscription.job_completion.endpoint == module.service_function["job_callback"].arn
    error_message = "job_callback must receive the job completion topic."
  }

  assert {
    condition     = aws_lambda_permission.job_completion.principal == "sns.amazonaws.com" && aws_lambda_permission.job_completion.source_arn == aws_sns_topic.job_completion.arn
    error_message = "Only the job completion topic may invoke job_callback through SNS."
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.transcribe_job_state.event_pattern).source[0] == "aws.transcribe" && jsondecode(aws_cloudwatch_event_rule.transcribe_job_state.event_pattern)["detail-type"][0] == "Transcribe Job State Change"
    error_message = "The Transcribe rule must match Transcribe Job State Change events."
  }

  assert {
    condition     = aws_cloudwatch_event_target.transcribe_job_state.arn == module.service_function["job_callback"].arn
    error_message = "Transcribe job events must reach job_callback."
  }

  assert {
    condition     = aws_cloudwatch_event_rule.poll_jobs.schedule_expression == "rate(5 minutes)" && aws_cloudwatch_event_target.poll_jobs.arn == module.service_function["poll_jobs"].arn
    error_message = "poll_jobs must run on jobs.poll_schedule."
  }
}

run "existing_bucket_key" {
  command = apply

  variables {
    ingest = {
      existing_bucket             = "uploads-of-an-app"
      existing_bucket_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    }
  }

  assert {
    condition = anytrue([
      for s in output.function_permissions["inspect"] : contains(s.resources, "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000") && contains(s.actions, "kms:Decrypt")
    ])
    error_message = "With an existing bucket's key, the functions must be allowed to decrypt with it."
  }

  assert {
    condition     = toset(flatten([for s in output.function_permissions["inspect"] : s.resources if contains(s.actions, "s3:GetObject")])) == toset(["arn:aws:s3:::uploads-of-an-app/uploads/*"])
    error_message = "inspect must read the existing bucket's watched prefix."
  }
}

run "review_api_grants" {
  command = apply

  variables {
    review = { create_api = true }
  }

  assert {
    condition = anytrue([
      for s in output.function_permissions["review_api"] : contains(s.actions, "states:SendTaskSuccess") && toset(s.resources) == toset([aws_sfn_state_machine.this.arn])
    ])
    error_message = "The review API must answer task tokens of this state machine only."
  }


  assert {
    condition     = toset(flatten([for s in output.function_permissions["review_api"] : s.resources if contains(s.actions, "dynamodb:Query")])) == toset([aws_dynamodb_table.reviews.arn, "${aws_dynamodb_table.reviews.arn}/index/status-created_at", aws_dynamodb_table.audit.arn])
    error_message = "The review API may query only the reviews table, its status index and the audit table."
  }

  assert {
    condition     = length([for s in output.function_permissions["review_api"] : s if contains(s.resources, aws_dynamodb_table.audit.arn) && (contains(s.actions, "dynamodb:UpdateItem") || contains(s.actions, "dynamodb:DeleteItem"))]) == 0
    error_message = "The review API may only append to the audit table."
  }
}
