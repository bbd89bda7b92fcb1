data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.name

  bucket = var.bucket_name != "" ? var.bucket_name : "${var.name}-${local.account}-${var.region}"

  # Everything Sluice keeps in the bucket lives under one prefix: log segments under
  # <prefix>/log/ (sluice.object-store.uri), the lake under <prefix>/lake/ (sluice.lake.warehouse),
  # and the offsets of scans too large for a response header under <prefix>/scan-offsets/ (kept a
  # day by the read function, which removes older ones).
  prefix          = "sluice"
  object_store    = "s3://${local.bucket}/${local.prefix}"
  warehouse       = "s3://${local.bucket}/${local.prefix}/lake"
  log_objects     = "${aws_s3_bucket.data.arn}/${local.prefix}/log/*"
  lake_objects    = "${aws_s3_bucket.data.arn}/${local.prefix}/lake/*"
  scan_offsets    = "${aws_s3_bucket.data.arn}/${local.prefix}/scan-offsets/*"
  tiered_offsets  = "${aws_s3_bucket.data.arn}/${local.prefix}/tiered-offsets/*"
  metadata_table  = "${var.name}-metadata"
  packages_dir    = var.packages_dir != "" ? var.packages_dir : abspath("${path.module}/..")
  architecture    = var.architecture != "" ? var.architecture : trimspace(file("${local.packages_dir}/lambda-read/target/function.zip.arch"))
  glue_catalog    = "arn:${local.partition}:glue:${local.region}:${local.account}:catalog"
  glue_databases  = "arn:${local.partition}:glue:${local.region}:${local.account}:database/*"
  glue_tables     = "arn:${local.partition}:glue:${local.region}:${local.account}:table/*/*"
  log_group_arns  = { for f, g in aws_cloudwatch_log_group.function : f => "${g.arn}:*" }
  function_names  = { for f in keys(local.functions) : f => "${var.name}-${f}" }
  tiering_handler = "io.sluice.lambda.tiering.TieringHandler::handleRequest"
  http_handler    = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest"

  # One deployment package per function, as the build writes them.
  functions = {
    write = {
      package = "${local.packages_dir}/lambda-write/target/function.zip"
      handler = local.http_handler
    }
    read = {
      package = "${local.packages_dir}/lambda-read/target/function.zip"
      handler = local.http_handler
    }
    tiering = {
      package = "${local.packages_dir}/lambda-tiering/target/function.zip"
      handler = local.tiering_handler
    }
  }

  # The same sluice.* keys as the local server, as environment variables.
  store_environment = merge(
    {
      SLUICE_OBJECT_STORE_URI    = local.object_store
      SLUICE_OBJECT_STORE_REGION = var.region
      SLUICE_METADATA_URI        = "dynamodb:${aws_dynamodb_table.metadata.name}"
      SLUICE_METADATA_REGION     = var.region
      # Arrow's memory needs java.nio opened; tiered compilation to C1 only starts faster.
      JAVA_TOOL_OPTIONS = "--add-opens=java.base/java.nio=ALL-UNNAMED -XX:+TieredCompilation -XX:TieredStopAtLevel=1"
    },
    var.s3_endpoint == "" ? {} : {
      SLUICE_OBJECT_STORE_ENDPOINT   = var.s3_endpoint
      SLUICE_OBJECT_STORE_PATH_STYLE = "true"
    },
    var.dynamodb_endpoint == "" ? {} : { SLUICE_METADATA_ENDPOINT = var.dynamodb_endpoint },
  )
  lake_environment = merge(
    {
      SLUICE_LAKE_WAREHOUSE       = local.warehouse
      SLUICE_LAKE_ICEBERG_CATALOG = var.iceberg_catalog
    },
    var.iceberg_uri == "" ? {} : { SLUICE_LAKE_ICEBERG_URI = var.iceberg_uri },
  )
  environment = {
    write   = local.store_environment
    read    = merge(local.store_environment, local.lake_environment)
    tiering = merge(local.store_environment, local.lake_environment, { SLUICE_SCHEDULER_WINDOW = "${var.scheduler_window_seconds}s" })
  }
}
