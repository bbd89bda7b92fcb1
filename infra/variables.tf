variable "name" {
  description = "Prefix of every resource's name (functions, table, roles, API)."
  type        = string
  default     = "sluice"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2 to 31 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "tags" {
  description = "Extra tags on every resource."
  type        = map(string)
  default     = {}
}

variable "bucket_name" {
  description = "Name of the S3 bucket for log segments and lake tables; empty: <name>-<account id>-<region>."
  type        = string
  default     = ""
}

variable "force_destroy" {
  description = "Let terraform destroy delete a bucket that still holds data, and a table with deletion protection off."
  type        = bool
  default     = false
}

variable "packages_dir" {
  description = "The build's root, where ./mvnw package writes lambda-<function>/target/function.zip (and .arch)."
  type        = string
  default     = ""
}

variable "architecture" {
  description = "Lambda architecture (arm64 or x86_64); empty: the one the packages were built for (function.zip.arch)."
  type        = string
  default     = ""

  validation {
    condition     = contains(["", "arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64, x86_64 or empty."
  }
}

variable "memory_mb" {
  description = "Memory of each function, in MB (CPU grows with it)."
  type        = object({ write = number, read = number, tiering = number })
  default     = { write = 1024, read = 2048, tiering = 2048 }
}

variable "timeout_seconds" {
  description = "Timeout of each function. The HTTP API answers 503 after 30 s whatever this says; tiering's scheduled runs take up to scheduler_window_seconds."
  type        = object({ write = number, read = number, tiering = number })
  default     = { write = 30, read = 30, tiering = 90 }
}

variable "schedule_expression" {
  description = "How often EventBridge Scheduler invokes the tiering function."
  type        = string
  default     = "rate(1 minute)"
}

variable "scheduler_window_seconds" {
  description = "How long one scheduled invocation keeps tiering while fresh tables receive rows (sluice.scheduler.window)."
  type        = number
  default     = 50
}

variable "log_retention_days" {
  description = "Retention of the functions' and the API's CloudWatch log groups."
  type        = number
  default     = 14
}

variable "authorization" {
  description = "How the HTTP API authorises callers: AWS_IAM (SigV4-signed requests, execute-api:Invoke) or JWT."
  type        = string
  default     = "AWS_IAM"

  validation {
    condition     = contains(["AWS_IAM", "JWT"], var.authorization)
    error_message = "authorization must be AWS_IAM or JWT."
  }
}

variable "jwt_issuer" {
  description = "Issuer URL of the JWT authoriser (authorization = JWT), e.g. a Cognito user pool's."
  type        = string
  default     = ""
}

variable "jwt_audience" {
  description = "Audiences the JWT authoriser accepts (authorization = JWT)."
  type        = list(string)
  default     = []
}

variable "iceberg_catalog" {
  description = "Iceberg catalog of the lake tables: glue (one Glue database per Sluice database, created on demand), jdbc or rest."
  type        = string
  default     = "glue"

  validation {
    condition     = contains(["glue", "jdbc", "rest"], var.iceberg_catalog)
    error_message = "iceberg_catalog must be glue, jdbc or rest."
  }
}

variable "iceberg_uri" {
  description = "The Iceberg catalog's URI when it is jdbc (a JDBC URL) or rest (its endpoint)."
  type        = string
  default     = ""
}

variable "create_http_api" {
  description = "Create the API Gateway HTTP API (LocalStack's free edition has none: set false there and use function URLs)."
  type        = bool
  default     = true
}

variable "function_urls" {
  description = "Give the write and read functions Lambda function URLs without auth (LocalStack only: never on AWS)."
  type        = bool
  default     = false
}

variable "snap_start" {
  description = "SnapStart on the published versions (LocalStack ignores it)."
  type        = bool
  default     = true
}

variable "s3_endpoint" {
  description = "S3 endpoint the functions use instead of AWS's (LocalStack: http://localhost.localstack.cloud:4566)."
  type        = string
  default     = ""
}

variable "dynamodb_endpoint" {
  description = "DynamoDB endpoint the functions use instead of AWS's (LocalStack)."
  type        = string
  default     = ""
}
