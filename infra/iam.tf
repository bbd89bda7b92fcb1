# One role per function, each granted only what its code calls (checked offline by
# infra/src/test: InfraValidationTest). The write function never touches the lake; the read
# function writes nothing but the offsets of scans too large for a response header, under their
# own prefix.

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "function" {
  for_each           = local.functions
  name               = "${var.name}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

# Write: put segments (a conditional put, read back after an ambiguous answer) and commit them.
# No s3:ListBucket, since listing would show the lake's keys: a segment missing after an ambiguous
# put then reads as 403, an unknown outcome (503, retry with the Idempotency-Key).
data "aws_iam_policy_document" "write" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [local.log_group_arns["write"]]
  }
  statement {
    sid       = "LogSegments"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = [local.log_objects]
  }
  statement {
    sid       = "Metadata"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.metadata.arn]
  }
}

# Read: log segments and lake files, metadata and the Glue catalog, read only.
data "aws_iam_policy_document" "read" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [local.log_group_arns["read"]]
  }
  statement {
    sid       = "Objects"
    actions   = ["s3:GetObject"]
    resources = [local.log_objects, local.lake_objects]
  }
  # Tiered offsets too many for a lake snapshot's properties (docs/lake-mapping.md): union reads,
  # describe and the snapshot listing read them.
  statement {
    sid       = "TieredOffsets"
    actions   = ["s3:GetObject"]
    resources = [local.tiered_offsets]
  }
  # A scan whose offsets exceed 8 KB keeps them here for the client to fetch by link (any
  # instance answers it), and removes those older than a day.
  statement {
    sid       = "ScanOffsets"
    actions   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    resources = [local.scan_offsets]
  }
  # Listing: Paimon lists a table's snapshots, and without it S3 answers a GET of a segment that
  # garbage collection removed with 403 instead of 404 (the reader then continues from the log start).
  statement {
    sid       = "List"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.data.arn]
  }
  statement {
    sid       = "Metadata"
    actions   = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"]
    resources = [aws_dynamodb_table.metadata.arn]
  }
  statement {
    sid       = "IcebergCatalog"
    actions   = ["glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables"]
    resources = [local.glue_catalog, local.glue_databases, local.glue_tables]
  }
}

# Tiering: reads the log, writes and maintains the lake, applies retention and garbage collection,
# creates and drops tables (so purges lake tables).
data "aws_iam_policy_document" "tiering" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [local.log_group_arns["tiering"]]
  }
  statement {
    sid       = "Objects"
    actions   = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    resources = [local.log_objects, local.lake_objects]
  }
  # Tiered offsets too many for a lake snapshot's properties: written before each such commit,
  # read by the next run, deleted by lake maintenance once no snapshot names them.
  statement {
    sid       = "TieredOffsets"
    actions   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    resources = [local.tiered_offsets]
  }
  statement {
    sid       = "List"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.data.arn]
  }
  statement {
    sid       = "Metadata"
    actions   = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.metadata.arn]
  }
  # The heads marked pending tiering, through their index.
  statement {
    sid       = "PendingBuckets"
    actions   = ["dynamodb:Query"]
    resources = ["${aws_dynamodb_table.metadata.arn}/index/*"]
  }
  statement {
    sid       = "IcebergCatalog"
    actions   = ["glue:CreateDatabase", "glue:CreateTable", "glue:DeleteTable", "glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:UpdateTable"]
    resources = [local.glue_catalog, local.glue_databases, local.glue_tables]
  }
}

locals {
  policies = {
    write   = data.aws_iam_policy_document.write.json
    read    = data.aws_iam_policy_document.read.json
    tiering = data.aws_iam_policy_document.tiering.json
  }
}

resource "aws_iam_role_policy" "function" {
  for_each = local.functions
  name     = "${var.name}-${each.key}"
  role     = aws_iam_role.function[each.key].id
  policy   = local.policies[each.key]
}
