# Input validation: every rule rejects a bad value with its message.

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

run "accepts_defaults" {
  command = plan
}

run "rejects_uppercase_name" {
  command = plan
  variables {
    name = "Moderato"
  }
  expect_failures = [var.name]
}

run "rejects_long_name" {
  command = plan
  variables {
    name = "a-name-far-too-long-for-buckets"
  }
  expect_failures = [var.name]
}

run "rejects_leading_slash_prefix" {
  command = plan
  variables {
    ingest = { prefixes = ["/uploads/"] }
  }
  expect_failures = [var.ingest]
}

run "rejects_empty_prefix_list" {
  command = plan
  variables {
    ingest = { prefixes = [] }
  }
  expect_failures = [var.ingest]
}

run "rejects_invalid_existing_bucket" {
  command = plan
  variables {
    ingest = { existing_bucket = "My_Bucket" }
  }
  expect_failures = [var.ingest]
}

run "rejects_unknown_log_level" {
  command = plan
  variables {
    functions = { log_level = "TRACE" }
  }
  expect_failures = [var.functions]
}

run "rejects_unknown_function_name" {
  command = plan
  variables {
    functions = { memory_mb = { moderate_audio = 512 } }
  }
  expect_failures = [var.functions]
}

run "rejects_memory_out_of_range" {
  command = plan
  variables {
    functions = { memory_mb = { inspect = 64 } }
  }
  expect_failures = [var.functions]
}

run "accepts_batch_size_of_ten" {
  command = plan
  variables {
    intake = { batch_size = 10 }
  }
  assert {
    condition     = aws_lambda_event_source_mapping.intake.batch_size == 10
    error_message = "intake.batch_size of 10, the maximum the module allows, must be accepted."
  }
}

run "rejects_batch_size_over_ten" {
  command = plan
  variables {
    intake = { batch_size = 11 }
  }
  expect_failures = [var.intake]
}

run "rejects_max_concurrency_of_one" {
  command = plan
  variables {
    intake = { max_concurrency = 1 }
  }
  expect_failures = [var.intake]
}

run "rejects_policy_that_is_not_json" {
  command = plan
  variables {
    policy_json = "version: 1"
  }
  expect_failures = [var.policy_json]
}

run "rejects_short_review_timeout" {
  command = plan
  variables {
    review = { timeout_seconds = 30 }
  }
  expect_failures = [var.review]
}

run "rejects_short_job_timeout" {
  command = plan
  variables {
    jobs = { timeout_seconds = 60 }
  }
  expect_failures = [var.jobs]
}

run "rejects_job_timeout_beyond_token_lifetime" {
  command = plan
  variables {
    jobs = { timeout_seconds = 604800 }
  }
  expect_failures = [var.jobs]
}

run "rejects_poll_schedule_without_rate" {
  command = plan
  variables {
    jobs = { poll_schedule = "15 minutes" }
  }
  expect_failures = [var.jobs]
}

run "rejects_unknown_transcribe_language" {
  command = plan
  variables {
    jobs = { transcribe_language = "english" }
  }
  expect_failures = [var.jobs]
}

run "rejects_remind_after_without_unit" {
  command = plan
  variables {
    review = { remind_after = "4" }
  }
  expect_failures = [var.review]
}

run "rejects_unknown_authorization" {
  command = plan
  variables {
    review = { authorization = "NONE" }
  }
  expect_failures = [var.review]
}

run "rejects_jwt_without_issuer" {
  command = plan
  variables {
    review = { authorization = "JWT", jwt_audience = ["moderators"] }
  }
  expect_failures = [var.review]
}

run "rejects_invalid_moderator_email" {
  command = plan
  variables {
    review = { moderator_emails = ["moderators"] }
  }
  expect_failures = [var.review]
}

run "rejects_unsupported_retention" {
  command = plan
  variables {
    log_retention_days = 10
  }
  expect_failures = [var.log_retention_days]
}

run "rejects_short_kms_window" {
  command = plan
  variables {
    kms_deletion_window_days = 3
  }
  expect_failures = [var.kms_deletion_window_days]
}

run "rejects_policy_timeout_mismatch" {
  command = plan
  variables {
    policy_json = "{\"review\": {\"timeout_seconds\": 3600}}"
    review      = { timeout_seconds = 7200 }
  }
  expect_failures = [aws_sfn_state_machine.this]
}

run "accepts_matching_policy_timeout" {
  command = apply
  variables {
    policy_json = "{\"review\": {\"timeout_seconds\": 3600}}"
    review      = { timeout_seconds = 3600 }
  }
}

run "rejects_empty_jwt_issuer" {
  command = plan
  variables {
    review = { authorization = "JWT", jwt_issuer = "", jwt_audience = ["client"] }
  }
  expect_failures = [var.review]
}

run "rejects_jwt_issuer_that_is_not_a_url" {
  command = plan
  variables {
    review = { authorization = "JWT", jwt_issuer = "not a url", jwt_audience = ["client"] }
  }
  expect_failures = [var.review]
}

run "rejects_http_jwt_issuer" {
  command = plan
  variables {
    review = { authorization = "JWT", jwt_issuer = "http://idp.example.com", jwt_audience = ["client"] }
  }
  expect_failures = [var.review]
}

run "rejects_http_jwt_issuer_that_only_starts_like_loopback" {
  command = plan
  variables {
    review = { authorization = "JWT", jwt_issuer = "http://127.0.0.1.example.com", jwt_audience = ["client"] }
  }
  expect_failures = [var.review]
}

# The offline tests run their identity provider on the loopback address.
run "accepts_loopback_http_jwt_issuer" {
  command = plan
  variables {
    review = { authorization = "JWT", jwt_issuer = "http://127.0.0.1:8443", jwt_audience = ["client"] }
  }
  assert {
    condition     = var.review.jwt_issuer == "http://127.0.0.1:8443"
    error_message = "a loopback http issuer is accepted"
  }
}

run "rejects_empty_jwt_audience" {
  command = plan
  variables {
    review = { authorization = "JWT", jwt_issuer = "https://idp.example.com", jwt_audience = [""] }
  }
  expect_failures = [var.review]
}

run "accepts_https_jwt_issuer" {
  command = plan
  variables {
    review = { authorization = "JWT", jwt_issuer = "https://idp.example.com/pool", jwt_audience = ["client"] }
  }
  assert {
    condition     = var.review.jwt_issuer == "https://idp.example.com/pool"
    error_message = "An https:// issuer with a path must be accepted."
  }
}

run "rejects_kms_alias_arn_for_existing_bucket" {
  command = plan
  variables {
    ingest = { existing_bucket = "my-bucket", existing_bucket_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:alias/uploads" }
  }
  expect_failures = [var.ingest]
}

run "rejects_bare_kms_arn_prefix" {
  command = plan
  variables {
    ingest = { existing_bucket = "my-bucket", existing_bucket_kms_key_arn = "arn:aws:kms:" }
  }
  expect_failures = [var.ingest]
}

run "accepts_kms_key_arn_for_existing_bucket" {
  command = plan
  variables {
    ingest = { existing_bucket = "my-bucket", existing_bucket_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
  }
  assert {
    condition     = var.ingest.existing_bucket_kms_key_arn == "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "A KMS key ARN must be accepted as ingest.existing_bucket_kms_key_arn."
  }
}

run "rejects_poll_schedule_without_number" {
  command = plan
  variables {
    jobs = { poll_schedule = "rate(banana)" }
  }
  expect_failures = [var.jobs]
}

run "rejects_poll_schedule_of_zero" {
  command = plan
  variables {
    jobs = { poll_schedule = "rate(0 minutes)" }
  }
  expect_failures = [var.jobs]
}

run "rejects_reminder_rate_with_singular_unit" {
  command = plan
  variables {
    review = { reminder_schedule = "rate(5 minute)" }
  }
  expect_failures = [var.review]
}

run "rejects_reminder_rate_of_one_with_plural_unit" {
  command = plan
  variables {
    review = { reminder_schedule = "rate(1 hours)" }
  }
  expect_failures = [var.review]
}

run "rejects_reminder_cron_without_six_fields" {
  command = plan
  variables {
    review = { reminder_schedule = "cron(banana)" }
  }
  expect_failures = [var.review]
}

run "accepts_valid_schedules" {
  command = plan
  variables {
    jobs   = { poll_schedule = "rate(1 minute)" }
    review = { reminder_schedule = "cron(0 8 * * ? *)" }
  }
  assert {
    condition     = var.jobs.poll_schedule == "rate(1 minute)" && var.review.reminder_schedule == "cron(0 8 * * ? *)"
    error_message = "rate(1 minute) and a six-field cron expression must be accepted."
  }
}

run "rejects_fractional_work_retention" {
  command = plan
  variables {
    work_retention_days = 1.5
  }
  expect_failures = [var.work_retention_days]
}

run "rejects_fractional_memory" {
  command = plan
  variables {
    functions = { memory_mb = { inspect = 300.5 } }
  }
  expect_failures = [var.functions]
}

run "rejects_fractional_batch_size" {
  command = plan
  variables {
    intake = { batch_size = 2.5 }
  }
  expect_failures = [var.intake]
}

run "rejects_fractional_max_concurrency" {
  command = plan
  variables {
    intake = { max_concurrency = 2.5 }
  }
  expect_failures = [var.intake]
}

run "rejects_fractional_max_receive_count" {
  command = plan
  variables {
    intake = { max_receive_count = 1.5 }
  }
  expect_failures = [var.intake]
}

run "rejects_fractional_kms_deletion_window" {
  command = plan
  variables {
    kms_deletion_window_days = 7.5
  }
  expect_failures = [var.kms_deletion_window_days]
}

run "rejects_null_prefix" {
  command = plan
  variables {
    ingest = { prefixes = [null] }
  }
  expect_failures = [var.ingest]
}

run "rejects_bucket_name_with_double_dot" {
  command = plan
  variables {
    ingest = { existing_bucket = "my..bucket" }
  }
  expect_failures = [var.ingest]
}

run "rejects_bucket_name_with_dot_dash" {
  command = plan
  variables {
    ingest = { existing_bucket = "my.-bucket" }
  }
  expect_failures = [var.ingest]
}

run "rejects_bucket_name_like_ip_address" {
  command = plan
  variables {
    ingest = { existing_bucket = "192.168.1.1" }
  }
  expect_failures = [var.ingest]
}

run "rejects_bucket_name_with_xn_prefix" {
  command = plan
  variables {
    ingest = { existing_bucket = "xn--bucket" }
  }
  expect_failures = [var.ingest]
}

run "rejects_bucket_name_with_s3alias_suffix" {
  command = plan
  variables {
    ingest = { existing_bucket = "bucket-s3alias" }
  }
  expect_failures = [var.ingest]
}

run "rejects_key_arn_without_existing_bucket" {
  command = plan
  variables {
    ingest = { existing_bucket_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
  }
  expect_failures = [var.ingest]
}

run "rejects_notifications_without_existing_bucket" {
  command = plan
  variables {
    ingest = { manage_notifications = true }
  }
  expect_failures = [var.ingest]
}

run "rejects_jwt_issuer_with_aws_iam" {
  command = plan
  variables {
    review = { jwt_issuer = "https://idp.example.com", jwt_audience = ["client"] }
  }
  expect_failures = [var.review]
}
