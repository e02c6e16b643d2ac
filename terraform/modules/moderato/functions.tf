locals {
  # Each function gets the variables its main package reads, and nothing
  # else; none of them is a secret. Rekognition reads originals of the
  # ingest bucket directly when the bucket is in the module's region. In
  # another region it rejects them, and moderate_image sends bytes instead.
  policy_environment = var.policy_json == null ? {} : { POLICY_JSON = var.policy_json }
  # request_review stores each new review's queue, and the review API and
  # the reminders read the same routing.
  review_queue_environment = merge(
    { DEFAULT_QUEUE = var.review.default_queue },
    length(var.review.queues) == 0 ? {} : { REVIEW_QUEUES = jsonencode(var.review.queues) },
  )
  # The API resource depends on nothing else, so the functions that the
  # state machine calls can link to its page without a dependency cycle.
  review_page_environment = var.review.create_api ? { REVIEW_PAGE_URL = "${aws_apigatewayv2_api.review[0].api_endpoint}/" } : {}
  environment = {
    inspect          = {}
    normalize_image  = { WORK_BUCKET = aws_s3_bucket.this["work"].bucket }
    moderate_text    = {}
    detect_pii_text  = { REDACTED_BUCKET = aws_s3_bucket.this["redacted"].bucket, WORK_BUCKET = aws_s3_bucket.this["work"].bucket }
    moderate_image   = { REKOGNITION_READ_BUCKETS = local.ingest_bucket_name }
    detect_pii_image = { REDACTED_BUCKET = aws_s3_bucket.this["redacted"].bucket, WORK_BUCKET = aws_s3_bucket.this["work"].bucket }
    extract_text     = { WORK_BUCKET = aws_s3_bucket.this["work"].bucket }
    start_job        = local.job_environment
    decide           = local.policy_environment
    review_reminders = merge({
      REVIEWS_TABLE      = aws_dynamodb_table.reviews.name
      REVIEW_TOPIC_ARN   = aws_sns_topic.moderators.arn
      REMIND_AFTER       = var.review.remind_after
      STATE_MACHINE_NAME = local.state_machine_name
    }, local.review_queue_environment, local.review_page_environment)
    request_review = merge({
      REVIEWS_TABLE    = aws_dynamodb_table.reviews.name
      AUDIT_TABLE      = aws_dynamodb_table.audit.name
      REVIEW_TOPIC_ARN = aws_sns_topic.moderators.arn
    }, local.policy_environment, local.review_queue_environment, local.review_page_environment)
    record_outcome = merge({
      APPROVED_BUCKET   = aws_s3_bucket.this["approved"].bucket
      QUARANTINE_BUCKET = aws_s3_bucket.this["quarantine"].bucket
      REDACTED_BUCKET   = aws_s3_bucket.this["redacted"].bucket
      OUTCOMES_TABLE    = aws_dynamodb_table.outcomes.name
      REVIEWS_TABLE     = aws_dynamodb_table.reviews.name
      EVENT_BUS_NAME    = aws_cloudwatch_event_bus.outcomes.name
    }, local.policy_environment)
  }

  # The job functions (start_job, job_callback, poll_jobs) share one
  # configuration: see internal/lambdahandler.JobManager.
  job_environment = {
    JOBS_TABLE          = aws_dynamodb_table.jobs.name
    WORK_BUCKET         = aws_s3_bucket.this["work"].bucket
    JOB_TOPIC_ARN       = aws_sns_topic.job_completion.arn
    JOB_TOPIC_ROLE_ARN  = aws_iam_role.job_completion.arn
    TRANSCRIBE_LANGUAGE = var.jobs.transcribe_language
  }

  # What job_callback and poll_jobs need to read a finished job's result
  # and send it through the task token.
  job_result_statements = [
    # GetContentModeration and GetDocumentTextDetection have no
    # resource-level permissions: their resource types cover only custom
    # models and adapters.
    {
      sid       = "ReadAnalysisJobs"
      actions   = ["rekognition:GetContentModeration", "textract:GetDocumentTextDetection"]
      resources = ["*"]
    },
    {
      sid       = "ReadTranscriptionJobs"
      actions   = ["transcribe:GetTranscriptionJob"]
      resources = [local.transcription_job_arns]
    },
    # Transcripts are read from transcripts/, and the text of every job is
    # written to text/.
    {
      sid       = "ReadTranscripts"
      actions   = ["s3:GetObject"]
      resources = ["${aws_s3_bucket.this["work"].arn}/transcripts/*"]
    },
    {
      sid       = "WriteJobText"
      actions   = ["s3:PutObject"]
      resources = ["${aws_s3_bucket.this["work"].arn}/text/*"]
    },
    {
      sid       = "TakeJobTokens"
      actions   = ["dynamodb:DeleteItem", "dynamodb:GetItem"]
      resources = [aws_dynamodb_table.jobs.arn]
    },
    {
      sid       = "CompleteTasks"
      actions   = ["states:SendTaskFailure", "states:SendTaskSuccess"]
      resources = [aws_sfn_state_machine.this.arn]
    },
    local.use_keys,
  ]

  use_keys = {
    sid       = "UseDataKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = local.function_kms_keys
  }
  decrypt = {
    sid       = "Decrypt"
    actions   = ["kms:Decrypt"]
    resources = local.function_kms_keys
  }
  read_ingest = {
    sid       = "ReadIngestObjects"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = local.ingest_object_arns
  }
  # Without ListBucket, S3 answers a request for a missing key with 403
  # instead of 404, and a deleted upload would be retried as an access error
  # instead of being recorded as missing.
  list_ingest = {
    sid       = "ListIngestBucket"
    actions   = ["s3:ListBucket"]
    resources = [local.ingest_bucket_arn]
  }
  read_work = {
    sid       = "ReadWorkObjects"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${aws_s3_bucket.this["work"].arn}/*"]
  }
  write_work = {
    sid       = "WriteWorkObjects"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.this["work"].arn}/*"]
  }
  write_redacted = {
    sid       = "WriteRedactedObjects"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.this["redacted"].arn}/*"]
  }

  # The functions that do not depend on the state machine: every task
  # function (start_job included), because the definition names their
  # ARNs, and the reminders.
  # Each role allows the AWS actions its code calls (functions/README.md
  # lists them), on the resources it touches.
  task_functions = {
    inspect = {
      description = "Inspect object: reads the object's head and first bytes and sniffs its media type."
      timeout     = 60
      statements  = [local.read_ingest, local.list_ingest, local.decrypt]
    }
    normalize_image = {
      description = "Normalize image: decodes, turns upright and re-encodes an image without metadata."
      timeout     = 120
      statements  = [local.read_ingest, local.write_work, local.use_keys]
    }
    moderate_text = {
      description = "Moderate text: scores text with Amazon Comprehend toxicity detection."
      timeout     = 120
      statements = [
        merge(local.read_ingest, { resources = concat(local.ingest_object_arns, ["${aws_s3_bucket.this["work"].arn}/*"]) }),
        local.decrypt,
        # Comprehend's detection APIs have no resource-level permissions.
        {
          sid       = "DetectToxicContent"
          actions   = ["comprehend:DetectDominantLanguage", "comprehend:DetectToxicContent"]
          resources = ["*"]
        },
      ]
    }
    detect_pii_text = {
      description = "Detect PII in text: finds PII with Amazon Comprehend and writes the redacted copy."
      timeout     = 120
      statements = [
        merge(local.read_ingest, { resources = concat(local.ingest_object_arns, ["${aws_s3_bucket.this["work"].arn}/*"]) }),
        {
          sid       = "WriteRedactedAndWorkObjects"
          actions   = ["s3:PutObject"]
          resources = ["${aws_s3_bucket.this["redacted"].arn}/*", "${aws_s3_bucket.this["work"].arn}/*"]
        },
        local.use_keys,
        # Comprehend's detection APIs and Textract's synchronous APIs have no
        # resource-level permissions. Textract reads text in PDF pages.
        {
          sid       = "DetectPiiEntities"
          actions   = ["comprehend:DetectDominantLanguage", "comprehend:DetectPiiEntities", "textract:DetectDocumentText"]
          resources = ["*"]
        },
      ]
    }
    moderate_image = {
      description = "Moderate image: scores a normalised image with Amazon Rekognition."
      timeout     = 60
      statements = [
        merge(local.read_work, { actions = ["s3:GetObject"] }),
        # Rekognition reads JPEG and PNG originals with the caller's
        # permissions.
        local.read_ingest,
        local.decrypt,
        # DetectModerationLabels takes a resource only for custom adapters.
        {
          sid       = "DetectModerationLabels"
          actions   = ["rekognition:DetectModerationLabels"]
          resources = ["*"]
        },
      ]
    }
    detect_pii_image = {
      description = "Detect PII in an image: reads its text with Amazon Textract, finds PII with Amazon Comprehend and writes the redacted image."
      timeout     = 120
      # The redacted image is staged in the work bucket until the outcome.
      statements = [
        merge(local.read_work, { actions = ["s3:GetObject"] }),
        local.write_work,
        local.use_keys,
        # Textract reads the image sent as bytes, and Comprehend scores its
        # text and finds PII in it; neither API has resource-level
        # permissions.
        {
          sid       = "ReadAndAnalyzeImageText"
          actions   = ["textract:DetectDocumentText", "comprehend:DetectDominantLanguage", "comprehend:DetectToxicContent", "comprehend:DetectPiiEntities"]
          resources = ["*"]
        },
      ]
    }
    extract_text = {
      description = "Extract text: reads single-page documents with Amazon Textract."
      timeout     = 300
      statements = [
        # Textract reads the document with the caller's permissions.
        local.read_ingest,
        local.write_work,
        local.use_keys,
        # Textract's synchronous APIs have no resource-level permissions.
        {
          sid       = "DetectDocumentText"
          actions   = ["textract:DetectDocumentText"]
          resources = ["*"]
        },
      ]
    }
    start_job = {
      description = "Starts a Rekognition video moderation, Transcribe or Textract job and stores its task token."
      timeout     = 60
      statements = [
        # The services read the media, and Transcribe writes the transcript
        # to transcripts/, with the caller's permissions.
        local.read_ingest,
        {
          sid       = "WriteTranscripts"
          actions   = ["s3:PutObject"]
          resources = ["${aws_s3_bucket.this["work"].arn}/transcripts/*"]
        },
        {
          sid       = "StoreJobTokens"
          actions   = ["dynamodb:PutItem"]
          resources = [aws_dynamodb_table.jobs.arn]
        },
        local.use_keys,
        # StartContentModeration and StartDocumentTextDetection have no
        # resource-level permissions: their resource types cover only custom
        # models and adapters.
        {
          sid       = "StartAnalysisJobs"
          actions   = ["rekognition:StartContentModeration", "textract:StartDocumentTextDetection"]
          resources = ["*"]
        },
        {
          sid       = "StartTranscriptionJobs"
          actions   = ["transcribe:StartTranscriptionJob"]
          resources = [local.transcription_job_arns]
        },
        # Rekognition and Textract publish the job's completion with this
        # role.
        {
          sid       = "PassCompletionRole"
          actions   = ["iam:PassRole"]
          resources = [aws_iam_role.job_completion.arn]
        },
      ]
    }
    decide = {
      description = "Decide: applies the moderation policy to the analysis results."
      timeout     = 10
      statements  = []
    }
    review_reminders = {
      description = "Reminds moderators of reviews pending longer than review.remind_after and publishes the oldest pending review's age, on a schedule."
      timeout     = 60
      statements = [
        {
          sid       = "ListPendingReviews"
          actions   = ["dynamodb:Query", "dynamodb:Scan"]
          resources = [aws_dynamodb_table.reviews.arn, "${aws_dynamodb_table.reviews.arn}/index/status-created_at"]
        },
        {
          sid       = "NotifyModerators"
          actions   = ["sns:Publish"]
          resources = [aws_sns_topic.moderators.arn]
        },
        # PutMetricData has no resource-level permissions; the condition
        # limits it to moderato's namespace.
        {
          sid        = "PublishReviewAge"
          actions    = ["cloudwatch:PutMetricData"]
          resources  = ["*"]
          conditions = [{ test = "StringEquals", variable = "cloudwatch:namespace", values = ["Moderato"] }]
        },
        local.use_keys,
      ]
    }
    request_review = {
      description = "Wait for review and Wait for escalated review: stores the pending review with its task token and queue, records escalations and notifies moderators."
      timeout     = 30
      statements = [
        {
          sid       = "WriteReviews"
          actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
          resources = [aws_dynamodb_table.reviews.arn]
        },
        # Only PutItem and Query, so the audit trail stays append-only.
        {
          sid       = "AppendEscalationAudit"
          actions   = ["dynamodb:PutItem", "dynamodb:Query"]
          resources = [aws_dynamodb_table.audit.arn]
        },
        {
          sid       = "NotifyModerators"
          actions   = ["sns:Publish"]
          resources = [aws_sns_topic.moderators.arn]
        },
        local.use_keys,
      ]
    }
    record_outcome = {
      description = "Record outcome: stores the outcome once, copies the original to the approved or quarantine bucket and publishes Moderation Decided."
      timeout     = 60
      statements = [
        local.read_ingest,
        local.list_ingest,
        # An approved item's redacted copies move from the work bucket,
        # where the analysis staged them, to the redacted bucket.
        merge(local.read_work, { actions = ["s3:GetObject"] }),
        local.write_redacted,
        # Objects above 5 GiB are copied in parts; a failed part copy
        # aborts its upload.
        {
          sid       = "DeliverOriginal"
          actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
          resources = ["${aws_s3_bucket.this["approved"].arn}/*", "${aws_s3_bucket.this["quarantine"].arn}/*"]
        },
        {
          sid       = "WriteOutcomes"
          actions   = ["dynamodb:GetItem", "dynamodb:PutItem"]
          resources = [aws_dynamodb_table.outcomes.arn]
        },
        {
          sid       = "FinishReviews"
          actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
          resources = [aws_dynamodb_table.reviews.arn]
        },
        {
          sid       = "PublishOutcome"
          actions   = ["events:PutEvents"]
          resources = [aws_cloudwatch_event_bus.outcomes.arn]
        },
        local.use_keys,
      ]
    }
  }

  # The starter, the job callbacks and the review API call the state
  # machine, so they are created after it.
  service_functions = merge(
    {
      starter = {
        description = "Starts one execution per S3 event from the intake queue."
        timeout     = 30
        environment = {
          # The rule matches the ingest bucket only; the starter drops events
          # of the output buckets too, in case another rule forwards them.
          IGNORE_BUCKETS = join(",", [for b in local.output_buckets : aws_s3_bucket.this[b].bucket])
        }
        statements = [
          {
            sid       = "ReceiveIntake"
            actions   = ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
            resources = [aws_sqs_queue.intake.arn]
          },
          {
            sid       = "StartExecution"
            actions   = ["states:StartExecution"]
            resources = [aws_sfn_state_machine.this.arn]
          },
          # HeadObject resolves URL-encoded keys to the stored key.
          local.read_ingest,
          local.list_ingest,
          local.decrypt,
        ]
      }
    },
    # job_callback and poll_jobs send job results through task tokens of the
    # state machine.
    {
      job_callback = {
        description = "Reads a finished job's result on its completion notification and sends it through the task token."
        timeout     = 120
        environment = local.job_environment
        statements  = local.job_result_statements
      }
      poll_jobs = {
        description = "Finishes, on a schedule, the jobs whose completion notification did not arrive."
        timeout     = 300
        environment = merge(local.job_environment, {
          POLL_AFTER_SECONDS  = tostring(var.jobs.poll_after_seconds)
          JOB_TIMEOUT_SECONDS = tostring(var.jobs.timeout_seconds)
        })
        statements = concat(local.job_result_statements, [
          {
            sid       = "ListJobTokens"
            actions   = ["dynamodb:Scan"]
            resources = [aws_dynamodb_table.jobs.arn]
          },
        ])
      }
    },
    # A for expression, because a conditional cannot choose between objects
    # of different types.
    { for name, fn in {
      review_api = {
        description = "Review API: lists pending reviews, shows one and accepts one decision per review."
        timeout     = 15
        environment = merge({
          REVIEWS_TABLE          = aws_dynamodb_table.reviews.name
          AUDIT_TABLE            = aws_dynamodb_table.audit.name
          AUTH_MODE              = lower(var.review.authorization == "JWT" ? "jwt" : "iam")
          RESTRICT_QUEUES        = tostring(var.review.restrict_queues)
          QUEUE_GRANT_PREFIX     = var.review.queue_grant_prefix
          JWT_SUBJECT_CLAIM      = var.review.jwt_subject_claim
          JWT_GROUPS_CLAIM       = var.review.jwt_groups_claim
          REVIEW_QUORUM          = tostring(var.review.quorum)
          ALLOW_ORIGINAL_PREVIEW = tostring(var.review.allow_original_preview)
          }, local.review_queue_environment,
          length(var.review.iam_queues) == 0 ? {} : { IAM_QUEUES = jsonencode(var.review.iam_queues) },
        )
        statements = [
          {
            sid       = "ReadAndDecideReviews"
            actions   = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:UpdateItem"]
            resources = [aws_dynamodb_table.reviews.arn, "${aws_dynamodb_table.reviews.arn}/index/status-created_at"]
          },
          # Only PutItem and Query, so the audit trail stays append-only.
          {
            sid       = "AppendAudit"
            actions   = ["dynamodb:PutItem", "dynamodb:Query"]
            resources = [aws_dynamodb_table.audit.arn]
          },
          {
            sid       = "AnswerTaskToken"
            actions   = ["states:SendTaskSuccess"]
            resources = [aws_sfn_state_machine.this.arn]
          },
          {
            sid       = "PresignRedactedPreview"
            actions   = ["s3:GetObject"]
            resources = ["${aws_s3_bucket.this["redacted"].arn}/*", "${aws_s3_bucket.this["work"].arn}/redacted/*"]
          },
          local.decrypt,
        ]
      }
    } : name => fn if var.review.create_api },
  )

  default_memory_mb = { normalize_image = 1024, detect_pii_image = 1024 }
}

module "task_function" {
  source   = "../function"
  for_each = local.task_functions

  name               = "${var.name}-${each.key}"
  description        = each.value.description
  package_file       = lookup(var.functions.package_files, each.key, "${local.package_dir}/${each.key}.zip")
  memory_mb          = lookup(var.functions.memory_mb, each.key, lookup(local.default_memory_mb, each.key, 256))
  timeout_seconds    = each.value.timeout
  environment        = local.environment[each.key]
  policy_statements  = each.value.statements
  kms_key_arn        = aws_kms_key.this.arn
  log_retention_days = var.log_retention_days
  log_level          = var.functions.log_level
  alarm_actions      = [aws_sns_topic.alarms.arn]
  tags               = var.tags
}

module "service_function" {
  source   = "../function"
  for_each = local.service_functions

  name                 = "${var.name}-${each.key}"
  description          = each.value.description
  package_file         = lookup(var.functions.package_files, each.key, "${local.package_dir}/${each.key}.zip")
  memory_mb            = lookup(var.functions.memory_mb, each.key, 256)
  timeout_seconds      = each.value.timeout
  environment          = merge(each.value.environment, { STATE_MACHINE_ARN = aws_sfn_state_machine.this.arn })
  reserved_concurrency = null
  policy_statements    = each.value.statements
  kms_key_arn          = aws_kms_key.this.arn
  log_retention_days   = var.log_retention_days
  log_level            = var.functions.log_level
  alarm_actions        = [aws_sns_topic.alarms.arn]
  tags                 = var.tags
}

locals {
  function_arns  = merge({ for k, m in module.task_function : k => m.arn }, { for k, m in module.service_function : k => m.arn })
  function_names = merge({ for k, m in module.task_function : k => m.name }, { for k, m in module.service_function : k => m.name })
}
