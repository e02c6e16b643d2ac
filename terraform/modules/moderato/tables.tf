# One outcome per execution: the record_outcome function writes it with a
# condition on the execution, so a retry cannot replace a later decision.
resource "aws_dynamodb_table" "outcomes" {
  name         = "${var.name}-outcomes"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "execution"
  tags         = var.tags

  attribute {
    name = "execution"
    type = "S"
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }
}

# Reviews hold task tokens; the status index lists pending reviews oldest
# first. Decided reviews are kept as the record of who decided and why.
resource "aws_dynamodb_table" "reviews" {
  name         = "${var.name}-reviews"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  tags         = var.tags

  attribute {
    name = "id"
    type = "S"
  }

  attribute {
    name = "status"
    type = "S"
  }

  attribute {
    name = "created_at"
    type = "S"
  }

  global_secondary_index {
    name            = "status-created_at"
    hash_key        = "status"
    range_key       = "created_at"
    projection_type = "ALL"
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }
}

# Every review decision, appended by the review API: who decided what,
# when and why.
resource "aws_dynamodb_table" "audit" {
  name         = "${var.name}-audit"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "review_id"
  range_key    = "at"
  tags         = var.tags

  attribute {
    name = "review_id"
    type = "S"
  }

  attribute {
    name = "at"
    type = "S"
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }
}

# Task tokens of long-running jobs (video moderation, transcription,
# multi-page documents), keyed by the job ID, until the job's completion
# notification resumes the execution. Only the job functions may use it.
# An item expires seven days after its job started (expires_at), so the
# items of jobs whose task timed out do not pile up.
resource "aws_dynamodb_table" "jobs" {
  name         = "${var.name}-jobs"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "job_id"
  tags         = var.tags

  attribute {
    name = "job_id"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }
}
