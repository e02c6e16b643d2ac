variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Prefix of every resource name; 3 to 24 lowercase letters, digits and \"-\"."
  type        = string
  default     = "moderato"
}

variable "package_dir" {
  description = "Directory holding one <function>.zip per function, as `make build` writes them; null means the repository's dist/."
  type        = string
  default     = null
}

variable "moderator_emails" {
  description = "Addresses told of new reviews; each must confirm its subscription."
  type        = list(string)
  default     = []
}

variable "alarm_emails" {
  description = "Addresses told of alarms; each must confirm its subscription."
  type        = list(string)
  default     = []
}

variable "create_review_api" {
  description = "Create the review HTTP API and its function."
  type        = bool
  default     = true
}

variable "review_jwt" {
  description = "JWT authorizer of the review API: the identity provider's issuer URL and the audiences (client IDs) it accepts. Moderators then sign in to the review page with a token and see only the queues that their moderato/queue:NAME groups or scopes grant. null keeps SigV4 (AWS_IAM) authorization with access to every queue."
  type = object({
    issuer   = string
    audience = list(string)
  })
  default = null

  validation {
    condition     = var.review_jwt == null || try(can(regex("^(https://[^\\s/?#]+|http://(127\\.0\\.0\\.1|localhost)(:[0-9]+)?(/|$))[^\\s]*$", var.review_jwt.issuer)), false)
    error_message = "review_jwt.issuer must be an https:// URL without spaces (http:// only for a loopback issuer in offline tests): the identity provider's issuer, exactly as the iss claim of its tokens writes it."
  }

  validation {
    condition     = var.review_jwt == null || try(length(var.review_jwt.audience) > 0 && alltrue([for a in var.review_jwt.audience : try(trimspace(a) != "", false)]), false)
    error_message = "review_jwt.audience must hold at least one non-empty string, such as a client ID."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete buckets that still hold objects. Meant for test stacks."
  type        = bool
  default     = false
}

variable "kms_deletion_window_days" {
  description = "Days a deleted KMS key waits before AWS deletes it (7 to 30)."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
