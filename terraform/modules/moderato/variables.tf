variable "name" {
  description = "Prefix of every resource name. Functions are named <name>-<function>, for example moderato-inspect."
  type        = string
  default     = "moderato"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name))
    error_message = "The name must be 3 to 24 characters of lowercase letters, digits and \"-\", start with a letter and not end with \"-\", because bucket names derive from it."
  }
}

variable "tags" {
  description = "Tags added to every resource that supports tags."
  type        = map(string)
  default     = {}
}

variable "ingest" {
  description = <<-EOT
    The bucket that uploads land in. By default the module creates it.
    existing_bucket: name of a bucket you already have; the module then creates no ingest bucket and watches that one.
    existing_bucket_kms_key_arn: the customer key that encrypts the existing bucket, if any, so the functions may decrypt its objects.
    manage_notifications: turn on EventBridge notifications of the existing bucket. Leave it false when another configuration manages the bucket's notifications, because a bucket has exactly one notification configuration, and turn EventBridge on there.
    prefixes: key prefixes that start the pipeline; "" watches the whole bucket.
    force_destroy: let `terraform destroy` delete a created bucket that still holds objects.
  EOT
  type = object({
    existing_bucket             = optional(string)
    existing_bucket_kms_key_arn = optional(string)
    manage_notifications        = optional(bool, false)
    prefixes                    = optional(list(string), ["uploads/"])
    force_destroy               = optional(bool, false)
  })
  default  = {}
  nullable = false

  validation {
    condition     = length(var.ingest.prefixes) > 0 && length(var.ingest.prefixes) <= 10
    error_message = "ingest.prefixes needs 1 to 10 prefixes; use [\"\"] to watch the whole bucket."
  }

  validation {
    condition     = alltrue([for p in var.ingest.prefixes : p != null])
    error_message = "ingest.prefixes must not contain null; use \"\" to watch the whole bucket."
  }

  validation {
    condition     = alltrue([for p in var.ingest.prefixes : try(!startswith(p, "/"), true)])
    error_message = "ingest.prefixes must not start with \"/\": S3 keys have no leading slash."
  }

  validation {
    condition     = var.ingest.existing_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.ingest.existing_bucket))
    error_message = "ingest.existing_bucket must be a valid S3 bucket name: 3 to 63 lowercase letters, digits, \".\" and \"-\"."
  }

  validation {
    condition = var.ingest.existing_bucket == null || try(
      !strcontains(var.ingest.existing_bucket, "..") &&
      !strcontains(var.ingest.existing_bucket, ".-") &&
      !strcontains(var.ingest.existing_bucket, "-.") &&
      !can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$", var.ingest.existing_bucket)) &&
      !startswith(var.ingest.existing_bucket, "xn--") &&
      !endswith(var.ingest.existing_bucket, "-s3alias"),
      false
    )
    error_message = "ingest.existing_bucket must be a valid S3 bucket name: no \"..\", \".-\" or \"-.\", not an IP address, no \"xn--\" prefix and no \"-s3alias\" suffix."
  }

  validation {
    condition     = var.ingest.existing_bucket != null || (var.ingest.existing_bucket_kms_key_arn == null && !var.ingest.manage_notifications)
    error_message = "ingest.existing_bucket_kms_key_arn and ingest.manage_notifications apply only to an existing bucket: set ingest.existing_bucket, or remove them."
  }

  validation {
    condition     = var.ingest.existing_bucket_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.ingest.existing_bucket_kms_key_arn))
    error_message = "ingest.existing_bucket_kms_key_arn must be a KMS key ARN, arn:PARTITION:kms:REGION:ACCOUNT:key/KEY_ID, not an alias ARN, because an alias ARN in an IAM policy does not grant use of the key behind it."
  }
}

variable "output_buckets_force_destroy" {
  description = "Let `terraform destroy` delete the approved, quarantine, redacted and work buckets while they still hold objects."
  type        = bool
  default     = false
}

variable "work_retention_days" {
  description = "Days after which intermediate data in the work bucket (normalised images, extracted text, detections) expires."
  type        = number
  default     = 7

  validation {
    condition     = var.work_retention_days >= 1 && var.work_retention_days <= 365 && floor(var.work_retention_days) == var.work_retention_days
    error_message = "work_retention_days must be a whole number between 1 and 365."
  }
}

variable "functions" {
  description = <<-EOT
    Lambda deployment packages and sizing.
    package_dir: directory holding <function>.zip for every function, as `make build` writes to dist/; null means the repository's dist/.
    package_files: per-function zip paths that override package_dir.
    memory_mb: per-function memory in MB; unnamed functions get 256 MB (1024 MB for normalize_image and detect_pii_image).
    log_level: application log level of every function: DEBUG, INFO, WARN or ERROR.
  EOT
  type = object({
    package_dir   = optional(string)
    package_files = optional(map(string), {})
    memory_mb     = optional(map(number), {})
    log_level     = optional(string, "INFO")
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["DEBUG", "INFO", "WARN", "ERROR"], var.functions.log_level)
    error_message = "functions.log_level must be one of DEBUG, INFO, WARN or ERROR."
  }

  validation {
    condition = alltrue([
      for name in concat(keys(var.functions.package_files), keys(var.functions.memory_mb)) : contains([
        "starter", "inspect", "normalize_image", "moderate_text", "detect_pii_text", "moderate_image",
        "detect_pii_image", "extract_text", "start_job", "job_callback", "poll_jobs", "decide", "request_review",
        "record_outcome", "review_api", "review_reminders",
      ], name)
    ])
    error_message = "functions.package_files and functions.memory_mb take only these function names: starter, inspect, normalize_image, moderate_text, detect_pii_text, moderate_image, detect_pii_image, extract_text, start_job, job_callback, poll_jobs, decide, request_review, record_outcome, review_api, review_reminders."
  }

  validation {
    condition     = alltrue([for mb in values(var.functions.memory_mb) : mb >= 128 && mb <= 10240 && floor(mb) == mb])
    error_message = "functions.memory_mb values must be whole numbers of MB between 128 and 10240."
  }
}

variable "intake" {
  description = <<-EOT
    The SQS intake queue between EventBridge and the starter function.
    batch_size: messages the starter receives per invocation (1 to 10).
    max_concurrency: maximum concurrent starter invocations (2 to 1000), which throttles how fast executions start; null means no limit.
    max_receive_count: deliveries of one event before it moves to the dead-letter queue.
  EOT
  type = object({
    batch_size        = optional(number, 10)
    max_concurrency   = optional(number)
    max_receive_count = optional(number, 5)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.intake.batch_size >= 1 && var.intake.batch_size <= 10 && floor(var.intake.batch_size) == var.intake.batch_size
    error_message = "intake.batch_size must be a whole number between 1 and 10."
  }

  validation {
    condition     = var.intake.max_concurrency == null || (coalesce(var.intake.max_concurrency, 2) >= 2 && coalesce(var.intake.max_concurrency, 2) <= 1000 && floor(coalesce(var.intake.max_concurrency, 2)) == coalesce(var.intake.max_concurrency, 2))
    error_message = "intake.max_concurrency must be null or a whole number between 2 and 1000, the range of an SQS event source's maximum concurrency."
  }

  validation {
    condition     = var.intake.max_receive_count >= 1 && var.intake.max_receive_count <= 1000 && floor(var.intake.max_receive_count) == var.intake.max_receive_count
    error_message = "intake.max_receive_count must be a whole number between 1 and 1000."
  }
}

variable "policy_json" {
  description = "The moderation policy document as JSON (see README.md, Policy); null uses the built-in default policy."
  type        = string
  default     = null

  validation {
    condition     = var.policy_json == null || can(jsondecode(var.policy_json))
    error_message = "policy_json must be a JSON document."
  }

  # The functions parse the whole policy at cold start; this catches a bad
  # review.escalation at plan time, because the state machine reads its
  # timeout when a review times out.
  validation {
    condition = var.policy_json == null || try(jsondecode(var.policy_json).review.escalation, null) == null || (
      can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", jsondecode(var.policy_json).review.escalation.queue)) &&
      try(floor(jsondecode(var.policy_json).review.escalation.timeout_seconds) == jsondecode(var.policy_json).review.escalation.timeout_seconds, false) &&
      try(jsondecode(var.policy_json).review.escalation.timeout_seconds >= 1, false)
    )
    error_message = "policy_json's review.escalation needs a queue (1 to 64 letters, digits, \".\", \"-\" and \"_\") and a whole number of timeout_seconds of at least 1."
  }
}

variable "review" {
  description = <<-EOT
    Human review of borderline items.
    timeout_seconds: how long an execution waits for a moderator before the policy's on_timeout action applies (60 to 31536000).
    authorization: how the review API authenticates callers: AWS_IAM (SigV4) or JWT.
    jwt_issuer, jwt_audience: the JWT authorizer's issuer URL and audiences, required with JWT.
    moderator_emails: addresses subscribed to the moderator topic; each must confirm the subscription.
    create_api: create the review HTTP API and its review_api function.
    remind_after: age (a Go duration such as 4h) after which the reminder lists a pending review to moderators again.
    reminder_schedule: EventBridge schedule expression of the reminders, which also publish the oldest pending review's age for its alarm, such as rate(1 hour) or cron(0 8 * * ? *).
    queues: media type (image, video, audio, text, document) to review queue; other media types go to default_queue.
    default_queue: queue of the media types that queues does not name.
    restrict_queues: let moderators see and decide only the queues their grants name, instead of every queue.
    queue_grant_prefix: prefix of the JWT scopes and groups that grant a queue: "<prefix>:<queue>", and "<prefix>:*" for every queue.
    jwt_subject_claim, jwt_groups_claim: the JWT claims that name the moderator and list their groups.
    iam_queues: IAM principal ARN to the queues it may access, with restrict_queues and AWS_IAM.
    quorum: agreeing decisions from different moderators that settle a review (1 to 10); a policy's review.quorum may raise it.
    allow_original_preview: show moderators the original object of an item without a redacted copy.
    The policy's review.escalation (see policy_json) sets the escalation queue and its timeout.
  EOT
  type = object({
    timeout_seconds        = optional(number, 86400)
    authorization          = optional(string, "AWS_IAM")
    jwt_issuer             = optional(string)
    jwt_audience           = optional(list(string), [])
    moderator_emails       = optional(list(string), [])
    create_api             = optional(bool, true)
    remind_after           = optional(string, "4h")
    reminder_schedule      = optional(string, "rate(1 hour)")
    queues                 = optional(map(string), {})
    default_queue          = optional(string, "default")
    restrict_queues        = optional(bool, false)
    queue_grant_prefix     = optional(string, "moderato/queue")
    jwt_subject_claim      = optional(string, "sub")
    jwt_groups_claim       = optional(string, "cognito:groups")
    iam_queues             = optional(map(list(string)), {})
    quorum                 = optional(number, 1)
    allow_original_preview = optional(bool, false)
  })
  default  = {}
  nullable = false

  # The same pattern checks jobs.poll_schedule. EventBridge takes a singular
  # unit for a rate of 1 and a plural one otherwise, and six cron fields.
  validation {
    condition     = can(regex("^(rate\\(1 (minute|hour|day)\\)|rate\\(([2-9]|[1-9][0-9]+) (minutes|hours|days)\\)|cron\\([^\\s()]+( [^\\s()]+){5}\\))$", var.review.reminder_schedule))
    error_message = "review.reminder_schedule must be rate(1 minute|hour|day), rate(N minutes|hours|days) with a whole number N of 2 or more, or cron(...) with six fields, such as cron(0 8 * * ? *)."
  }

  validation {
    condition     = alltrue([for m in keys(var.review.queues) : contains(["image", "video", "audio", "text", "document"], m)])
    error_message = "review.queues takes only the media types image, video, audio, text and document as keys."
  }

  validation {
    condition = alltrue([
      for q in concat(values(var.review.queues), [var.review.default_queue], flatten(values(var.review.iam_queues))) :
      can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", q))
    ])
    error_message = "Queue names in review.queues, review.default_queue and review.iam_queues must be 1 to 64 letters, digits, \".\", \"-\" and \"_\", starting with a letter or digit."
  }

  validation {
    condition     = alltrue([for arn in keys(var.review.iam_queues) : can(regex("^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:", arn))])
    error_message = "review.iam_queues keys must be IAM principal ARNs, such as arn:aws:iam::123456789012:role/moderators."
  }

  validation {
    condition     = length(var.review.iam_queues) == 0 || var.review.authorization == "AWS_IAM"
    error_message = "review.iam_queues applies to AWS_IAM authorization only; with JWT, grant queues with scopes or groups named <queue_grant_prefix>:<queue>."
  }

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9/._:-]*$", var.review.queue_grant_prefix)) && !endswith(var.review.queue_grant_prefix, ":")
    error_message = "review.queue_grant_prefix must be letters, digits, \"/\", \".\", \"_\", \":\" and \"-\", and must not end with \":\", which the grant adds before the queue."
  }

  validation {
    condition     = var.review.quorum >= 1 && var.review.quorum <= 10 && floor(var.review.quorum) == var.review.quorum
    error_message = "review.quorum must be a whole number between 1 and 10."
  }

  validation {
    condition     = trimspace(var.review.jwt_subject_claim) != "" && trimspace(var.review.jwt_groups_claim) != ""
    error_message = "review.jwt_subject_claim and review.jwt_groups_claim must not be empty."
  }

  validation {
    condition     = var.review.timeout_seconds >= 60 && var.review.timeout_seconds <= 31536000 && floor(var.review.timeout_seconds) == var.review.timeout_seconds
    error_message = "review.timeout_seconds must be a whole number between 60 and 31536000 (one year)."
  }

  validation {
    condition     = can(regex("^([0-9]+(\\.[0-9]+)?(h|m|s))+$", var.review.remind_after))
    error_message = "review.remind_after must be a Go duration of hours, minutes and seconds, such as 4h or 90m."
  }

  validation {
    condition     = contains(["AWS_IAM", "JWT"], var.review.authorization)
    error_message = "review.authorization must be AWS_IAM or JWT."
  }

  validation {
    condition     = var.review.authorization != "JWT" || (var.review.jwt_issuer != null && length(var.review.jwt_audience) > 0)
    error_message = "review.authorization = \"JWT\" needs review.jwt_issuer and at least one review.jwt_audience."
  }

  validation {
    condition     = var.review.jwt_issuer == null || can(regex("^(https://[^\\s/?#]+|http://(127\\.0\\.0\\.1|localhost)(:[0-9]+)?(/|$))[^\\s]*$", var.review.jwt_issuer))
    error_message = "review.jwt_issuer must be an https:// URL without spaces (http:// only for a loopback issuer in offline tests), such as https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE: the identity provider's issuer, exactly as the iss claim of its tokens writes it."
  }

  validation {
    condition     = alltrue([for a in var.review.jwt_audience : try(trimspace(a) != "", false)])
    error_message = "review.jwt_audience must hold non-empty strings, such as the client IDs that the identity provider issues tokens for."
  }

  validation {
    condition     = var.review.authorization == "JWT" || (var.review.jwt_issuer == null && length(var.review.jwt_audience) == 0)
    error_message = "review.jwt_issuer and review.jwt_audience apply only with review.authorization = \"JWT\": set it, or remove them."
  }

  validation {
    condition     = alltrue([for e in var.review.moderator_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "review.moderator_emails must hold email addresses."
  }
}

variable "jobs" {
  description = <<-EOT
    Long-running jobs: video moderation (Amazon Rekognition), transcription of audio and video (Amazon Transcribe) and text detection in documents of more than one page (Amazon Textract).
    timeout_seconds: how long a job state waits for its job before the item is recorded as failed (300 to 172800).
    poll_schedule: EventBridge schedule expression of poll_jobs, which finishes the jobs whose completion notification did not arrive.
    poll_after_seconds: age in seconds of a job before poll_jobs checks it.
    transcribe_language: language code of the speech, such as en-US, or auto to let Transcribe identify the language (which turns its PII redaction off).
  EOT
  type = object({
    timeout_seconds     = optional(number, 14400)
    poll_schedule       = optional(string, "rate(15 minutes)")
    poll_after_seconds  = optional(number, 900)
    transcribe_language = optional(string, "en-US")
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.jobs.timeout_seconds >= 300 && var.jobs.timeout_seconds <= 172800 && floor(var.jobs.timeout_seconds) == var.jobs.timeout_seconds
    error_message = "jobs.timeout_seconds must be a whole number between 300 and 172800 (two days), because the jobs table keeps a job's task token for seven days."
  }

  # The same pattern checks review.reminder_schedule.
  validation {
    condition     = can(regex("^(rate\\(1 (minute|hour|day)\\)|rate\\(([2-9]|[1-9][0-9]+) (minutes|hours|days)\\)|cron\\([^\\s()]+( [^\\s()]+){5}\\))$", var.jobs.poll_schedule))
    error_message = "jobs.poll_schedule must be rate(1 minute|hour|day), rate(N minutes|hours|days) with a whole number N of 2 or more, or cron(...) with six fields, such as rate(15 minutes)."
  }

  validation {
    condition     = var.jobs.poll_after_seconds >= 0 && floor(var.jobs.poll_after_seconds) == var.jobs.poll_after_seconds
    error_message = "jobs.poll_after_seconds must be a whole number of seconds, 0 or more."
  }

  validation {
    condition     = can(regex("^(auto|[a-z]{2}-[A-Z]{2})$", var.jobs.transcribe_language))
    error_message = "jobs.transcribe_language must be a language code such as en-US, or auto."
  }
}

variable "log_retention_days" {
  description = "Retention of every log group in days; one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "alarms" {
  description = <<-EOT
    CloudWatch alarms.
    emails: addresses subscribed to the alarm topic; each must confirm the subscription.
    oldest_review_age_seconds: the pending-review alarm fires when the oldest pending review is older than this.
  EOT
  type = object({
    emails                    = optional(list(string), [])
    oldest_review_age_seconds = optional(number, 43200)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.alarms.oldest_review_age_seconds >= 60
    error_message = "alarms.oldest_review_age_seconds must be at least 60."
  }

  validation {
    condition     = alltrue([for e in var.alarms.emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarms.emails must hold email addresses."
  }
}

variable "kms_deletion_window_days" {
  description = "Days a deleted KMS key waits before AWS deletes it (7 to 30)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30 && floor(var.kms_deletion_window_days) == var.kms_deletion_window_days
    error_message = "kms_deletion_window_days must be a whole number between 7 and 30."
  }
}

variable "point_in_time_recovery" {
  description = "Point-in-time recovery of the DynamoDB tables."
  type        = bool
  default     = true
}

variable "statemachine_definition_file" {
  description = "Path of the Amazon States Language template; null means the repository's statemachines/moderation.asl.json."
  type        = string
  default     = null
}
