data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # Bucket names are global: the account ID keeps two accounts using the
  # same name prefix apart.
  create_ingest_bucket = var.ingest.existing_bucket == null
  ingest_bucket_name   = local.create_ingest_bucket ? "${var.name}-ingest-${local.account_id}" : var.ingest.existing_bucket
  ingest_bucket_arn    = "arn:${local.partition}:s3:::${local.ingest_bucket_name}"

  # The pipeline writes only to these buckets, never to the ingest bucket,
  # so no output can match the ingest rule and start the pipeline again.
  output_buckets = toset(["approved", "quarantine", "redacted", "work"])

  # Object ARNs of the watched prefixes: the functions may read only what
  # the pipeline can be asked to process.
  ingest_object_arns = [for p in var.ingest.prefixes : "${local.ingest_bucket_arn}/${p}*"]

  # Keys the functions use: the module's key, plus the existing bucket's key.
  function_kms_keys = compact([aws_kms_key.this.arn, var.ingest.existing_bucket_kms_key_arn])

  package_dir = coalesce(var.functions.package_dir, "${path.module}/../../../dist")

  definition_file = coalesce(var.statemachine_definition_file, "${path.module}/../../../statemachines/moderation.asl.json")

  # The transcription jobs the pipeline starts: internal/awsadapter/transcribe
  # names each "moderato-" and a request token.
  transcription_job_prefix = "moderato-"
  transcription_job_arns   = "arn:${local.partition}:transcribe:${local.region}:${local.account_id}:transcription-job/${local.transcription_job_prefix}*"

}
