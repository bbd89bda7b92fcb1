resource "aws_cloudwatch_log_group" "function" {
  for_each          = local.functions
  name              = "/aws/lambda/${var.name}-${each.key}"
  retention_in_days = var.log_retention_days
}

# The packages go through the bucket: they are larger than the 50 MB of a direct upload.
resource "aws_s3_object" "package" {
  for_each    = local.functions
  bucket      = aws_s3_bucket.data.id
  key         = "deploy/${each.key}/function-${filemd5(each.value.package)}.zip"
  source      = each.value.package
  source_hash = filemd5(each.value.package)
}

resource "aws_lambda_function" "function" {
  for_each         = local.functions
  function_name    = local.function_names[each.key]
  role             = aws_iam_role.function[each.key].arn
  runtime          = "java21"
  architectures    = [local.architecture]
  handler          = each.value.handler
  s3_bucket        = aws_s3_object.package[each.key].bucket
  s3_key           = aws_s3_object.package[each.key].key
  source_code_hash = filebase64sha256(each.value.package)
  memory_size      = var.memory_mb[each.key]
  timeout          = var.timeout_seconds[each.key]
  publish          = true

  dynamic "snap_start" {
    for_each = var.snap_start ? [1] : []
    content {
      apply_on = "PublishedVersions"
    }
  }

  environment {
    variables = local.environment[each.key]
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.function[each.key].name
  }

  depends_on = [aws_iam_role_policy.function]
}

# Callers reach the published version (the one SnapStart snapshots) through this alias.
resource "aws_lambda_alias" "live" {
  for_each         = local.functions
  name             = "live"
  function_name    = aws_lambda_function.function[each.key].function_name
  function_version = aws_lambda_function.function[each.key].version
}

# LocalStack only (function_urls = true): URLs without auth, one per function.
resource "aws_lambda_function_url" "function" {
  for_each           = var.function_urls ? toset(["write", "read", "tiering"]) : toset([])
  function_name      = aws_lambda_function.function[each.key].function_name
  qualifier          = aws_lambda_alias.live[each.key].name
  authorization_type = "NONE"
}

resource "aws_lambda_permission" "function_url" {
  for_each               = aws_lambda_function_url.function
  statement_id           = "AllowFunctionUrl"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = each.value.function_name
  qualifier              = each.value.qualifier
  principal              = "*"
  function_url_auth_type = "NONE"
}
