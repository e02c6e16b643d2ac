variable "name" {
  description = "Function name; also names its role, log group and error alarm."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,56}$", var.name))
    error_message = "The name must be 1 to 56 letters, digits, \"-\" or \"_\", so that the role name \"<name>-role\" stays within IAM's 64 characters."
  }
}

variable "description" {
  description = "What the function does, shown in the Lambda console."
  type        = string
  default     = ""
}

variable "package_file" {
  description = "Path to the deployment package: a zip holding a linux/arm64 executable named bootstrap."
  type        = string
}

variable "environment" {
  description = "Environment variables of the function."
  type        = map(string)
  default     = {}
}

variable "memory_mb" {
  description = "Memory of the function in MB."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_mb >= 128 && var.memory_mb <= 10240
    error_message = "The memory must be between 128 and 10240 MB."
  }
}

variable "timeout_seconds" {
  description = "Timeout of one invocation in seconds."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds <= 900
    error_message = "The timeout must be between 1 and 900 seconds."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions; null leaves the function unreserved."
  type        = number
  default     = null
}

variable "policy_statements" {
  description = "IAM statements of the function's role, beyond writing its own logs and traces. Each names its actions and resources, and optionally conditions (test, variable, values); no statement may use the \"*\" action."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default = []

  validation {
    condition = alltrue([
      for s in var.policy_statements : length(s.actions) > 0 && length(s.resources) > 0 && !contains(s.actions, "*")
    ])
    error_message = "Every statement needs at least one action and one resource, and \"*\" is not an allowed action."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the function's environment variables and its log group."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the function's log group in days."
  type        = number
  default     = 30
}

variable "log_level" {
  description = "Application log level: DEBUG, INFO, WARN or ERROR."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARN", "ERROR"], var.log_level)
    error_message = "The log level must be one of DEBUG, INFO, WARN or ERROR."
  }
}

variable "alarm_actions" {
  description = "ARNs notified when the function's error alarm changes state."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
