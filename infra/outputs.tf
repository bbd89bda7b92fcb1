output "api_url" {
  description = "Base URL of the Sluice HTTP API (shared/API.md); requests are SigV4-signed (AWS_IAM) or carry a JWT."
  value       = var.create_http_api ? aws_apigatewayv2_api.sluice[0].api_endpoint : null
}

output "function_urls" {
  description = "Function URLs (LocalStack variant only)."
  value       = { for f, u in aws_lambda_function_url.function : f => u.function_url }
}

output "bucket" {
  description = "The S3 bucket: log segments under sluice/log/, lake tables under sluice/lake/."
  value       = aws_s3_bucket.data.bucket
}

output "metadata_table" {
  description = "The DynamoDB table holding Sluice's metadata."
  value       = aws_dynamodb_table.metadata.name
}

output "functions" {
  description = "The Lambda functions, by role."
  value       = { for f, fn in aws_lambda_function.function : f => fn.function_name }
}

output "lake_warehouse" {
  description = "Root of the lake: Paimon under /paimon, Iceberg under /iceberg."
  value       = local.warehouse
}

output "spark_conf" {
  description = "Spark settings (spark-defaults.conf or --conf) that read both lakes."
  value = merge(
    {
      "spark.sql.catalog.paimon"           = "org.apache.paimon.spark.SparkCatalog"
      "spark.sql.catalog.paimon.warehouse" = "${local.warehouse}/paimon"
      "spark.sql.catalog.sluice"           = "org.apache.iceberg.spark.SparkCatalog"
      "spark.sql.catalog.sluice.warehouse" = "${local.warehouse}/iceberg"
      "spark.sql.catalog.sluice.io-impl"   = "org.apache.iceberg.aws.s3.S3FileIO"
    },
    var.iceberg_catalog == "glue" ? {
      "spark.sql.catalog.sluice.catalog-impl" = "org.apache.iceberg.aws.glue.GlueCatalog"
      } : {
      "spark.sql.catalog.sluice.type" = var.iceberg_catalog
      "spark.sql.catalog.sluice.uri"  = var.iceberg_uri
    },
  )
}

output "starrocks_catalogs" {
  description = "StarRocks statements that create catalogs over both lakes."
  value       = <<-SQL
    CREATE EXTERNAL CATALOG sluice_paimon PROPERTIES (
      "type" = "paimon",
      "paimon.catalog.type" = "filesystem",
      "paimon.catalog.warehouse" = "${local.warehouse}/paimon",
      "aws.s3.region" = "${var.region}",
      "aws.s3.use_instance_profile" = "true"
    );
    CREATE EXTERNAL CATALOG sluice_iceberg PROPERTIES (
      "type" = "iceberg",
      "iceberg.catalog.type" = "${var.iceberg_catalog}",
      "aws.glue.region" = "${var.region}",
      "aws.glue.use_instance_profile" = "true",
      "aws.s3.region" = "${var.region}",
      "aws.s3.use_instance_profile" = "true"
    );
  SQL
}
