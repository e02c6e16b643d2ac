provider "aws" {
  region = var.region
}

module "moderato" {
  source = "../../modules/moderato"

  name = var.name
  tags = merge(var.tags, { Application = "moderato" })

  ingest = {
    prefixes      = ["uploads/", "inbox/"]
    force_destroy = var.force_destroy
  }
  output_buckets_force_destroy = var.force_destroy
  work_retention_days          = 3

  functions = {
    package_dir = var.package_dir
    log_level   = "INFO"
    memory_mb   = { extract_text = 512 }
  }

  intake = {
    batch_size        = 5
    max_concurrency   = 10
    max_receive_count = 3
  }

  policy_json = file("${path.module}/policy.json")

  # policy.json escalates a review that waits 48 hours to the senior queue
  # for 24 more hours before its on_timeout applies. Images and videos go
  # to the visual queue and everything else to the default queue. With
  # review_jwt, a moderator sees a queue only with the group or scope
  # moderato/queue:NAME, such as moderato/queue:visual.
  review = {
    timeout_seconds   = 172800
    moderator_emails  = var.moderator_emails
    create_api        = var.create_review_api
    authorization     = var.review_jwt == null ? "AWS_IAM" : "JWT"
    jwt_issuer        = var.review_jwt == null ? null : var.review_jwt.issuer
    jwt_audience      = var.review_jwt == null ? [] : var.review_jwt.audience
    restrict_queues   = var.review_jwt != null
    queues            = { image = "visual", video = "visual" }
    remind_after      = "12h"
    reminder_schedule = "rate(1 hour)"
  }

  jobs = {
    timeout_seconds    = 7200
    poll_schedule      = "rate(5 minutes)"
    poll_after_seconds = 600
  }

  alarms = {
    emails                    = var.alarm_emails
    oldest_review_age_seconds = 86400
  }

  log_retention_days       = 90
  kms_deletion_window_days = var.kms_deletion_window_days
}
