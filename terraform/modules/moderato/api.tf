# The review API and page, created with review.create_api. The review_api
# function routes by method and path itself: GET / is the review page, and
# /api/... lists, shows and decides reviews for callers that authenticate
# with SigV4 (AWS_IAM) or a JWT.
locals {
  # Every queue a review can be in: the media type queues, the default one
  # and the policy's escalation queue.
  review_queues = toset(compact(concat(
    values(var.review.queues),
    [var.review.default_queue, try(jsondecode(var.policy_json).review.escalation.queue, "")],
  )))
  # Queues that no IAM principal may access, which would hide their reviews
  # from every moderator when queues are restricted in AWS_IAM mode.
  ungranted_queues = sort([for q in local.review_queues : q if !anytrue([for queues in values(var.review.iam_queues) : contains(queues, q)])])
}

resource "aws_apigatewayv2_api" "review" {
  count = var.review.create_api ? 1 : 0

  name          = "${var.name}-review"
  protocol_type = "HTTP"
  description   = "Moderator review API of ${var.name}."
  tags          = var.tags

  lifecycle {
    precondition {
      condition     = !var.review.restrict_queues || var.review.authorization != "AWS_IAM" || length(local.ungranted_queues) == 0
      error_message = "With review.restrict_queues and AWS_IAM authorization, every review queue needs a principal in review.iam_queues. No principal may access: ${join(", ", local.ungranted_queues)}."
    }
  }
}

resource "aws_apigatewayv2_integration" "review" {
  count = var.review.create_api ? 1 : 0

  api_id                 = aws_apigatewayv2_api.review[0].id
  integration_type       = "AWS_PROXY"
  integration_uri        = module.service_function["review_api"].invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_authorizer" "jwt" {
  count = var.review.create_api && var.review.authorization == "JWT" ? 1 : 0

  api_id           = aws_apigatewayv2_api.review[0].id
  authorizer_type  = "JWT"
  name             = "${var.name}-jwt"
  identity_sources = ["$request.header.Authorization"]

  jwt_configuration {
    issuer   = var.review.jwt_issuer
    audience = var.review.jwt_audience
  }
}

resource "aws_apigatewayv2_route" "review" {
  for_each = toset(var.review.create_api ? ["ANY /api/{proxy+}"] : [])

  api_id             = aws_apigatewayv2_api.review[0].id
  route_key          = each.value
  target             = "integrations/${aws_apigatewayv2_integration.review[0].id}"
  authorization_type = var.review.authorization
  authorizer_id      = var.review.authorization == "JWT" ? aws_apigatewayv2_authorizer.jwt[0].id : null
}

# The page is one static HTML file with no data in it. It must load without
# credentials, because it asks for a token when the API returns 401.
resource "aws_apigatewayv2_route" "page" {
  count = var.review.create_api ? 1 : 0

  api_id             = aws_apigatewayv2_api.review[0].id
  route_key          = "GET /"
  target             = "integrations/${aws_apigatewayv2_integration.review[0].id}"
  authorization_type = "NONE"
}

resource "aws_cloudwatch_log_group" "review_api" {
  count = var.review.create_api ? 1 : 0

  name              = "/aws/apigateway/${var.name}-review"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = var.tags
}

resource "aws_apigatewayv2_stage" "review" {
  count = var.review.create_api ? 1 : 0

  api_id      = aws_apigatewayv2_api.review[0].id
  name        = "$default"
  auto_deploy = true
  tags        = var.tags

  # The access log names the caller and the route, never the request body,
  # which holds the moderator's reason.
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.review_api[0].arn
    format = jsonencode({
      requestId = "$context.requestId"
      caller    = "$context.identity.caller"
      routeKey  = "$context.routeKey"
      status    = "$context.status"
      latencyMs = "$context.responseLatency"
    })
  }

  default_route_settings {
    throttling_burst_limit = 50
    throttling_rate_limit  = 20
  }
}

resource "aws_lambda_permission" "review_api" {
  count = var.review.create_api ? 1 : 0

  statement_id  = "AllowReviewAPI"
  action        = "lambda:InvokeFunction"
  function_name = module.service_function["review_api"].name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.review[0].execution_arn}/*/*"
}

# The review page fetches each preview from the presigned S3 URL that the
# API redirects to, so the browser sends a CORS request with the API's
# origin. Redacted copies are in the redacted bucket, or staged under
# redacted/ in the work bucket until an approval publishes them. Originals
# are shown only with allow_original_preview, and the module sets CORS only
# on an ingest bucket that it creates.
# NOTE: a page served from a custom domain has another origin, which these
# rules do not allow.
resource "aws_s3_bucket_cors_configuration" "review_previews" {
  for_each = var.review.create_api ? toset(concat(
    ["redacted", "work"],
    var.review.allow_original_preview && local.create_ingest_bucket ? ["ingest"] : [],
  )) : toset([])

  bucket = aws_s3_bucket.this[each.key].id

  cors_rule {
    allowed_methods = ["GET"]
    allowed_origins = [aws_apigatewayv2_api.review[0].api_endpoint]
    max_age_seconds = 300
  }
}
