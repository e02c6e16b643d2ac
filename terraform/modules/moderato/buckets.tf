locals {
  # Settings applied alike to every bucket the module creates.
  created_buckets = merge(
    local.create_ingest_bucket ? { ingest = { name = local.ingest_bucket_name, force_destroy = var.ingest.force_destroy } } : {},
    { for b in local.output_buckets : b => { name = "${var.name}-${b}-${local.account_id}", force_destroy = var.output_buckets_force_destroy } },
  )
}

resource "aws_s3_bucket" "this" {
  for_each = local.created_buckets

  bucket        = each.value.name
  force_destroy = each.value.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = aws_s3_bucket.this

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# Versioning gives every upload its own version ID, and a new version of a
# key is a new item with its own outcome.
resource "aws_s3_bucket_versioning" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "work" {
  bucket = aws_s3_bucket.this["work"].id

  rule {
    id     = "expire-intermediate-data"
    status = "Enabled"

    filter {}

    expiration {
      days = var.work_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

data "aws_iam_policy_document" "bucket" {
  for_each = aws_s3_bucket.this

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value.arn, "${each.value.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  policy = data.aws_iam_policy_document.bucket[each.key].json

  # S3 rejects a bucket policy while the public access block is being set.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

# A bucket has exactly one notification configuration, so this resource
# replaces any other on the bucket. For an existing bucket it is created only
# when ingest.manage_notifications is true.
resource "aws_s3_bucket_notification" "ingest" {
  count = local.create_ingest_bucket || var.ingest.manage_notifications ? 1 : 0

  bucket      = local.ingest_bucket_name
  eventbridge = true

  depends_on = [aws_s3_bucket.this]
}
