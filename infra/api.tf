# The HTTP API: each route goes to the function that serves it, as payload format 2.0 events.
# Table create and drop go to tiering, which holds the lake (the check for a lake table left by
# an earlier table, and purges); the write function only appends rows.
locals {
  routes = {
    "POST /v1/tables/{table}/rows"                    = "write"
    "GET /v1/tables"                                  = "read"
    "GET /v1/tables/{table}"                          = "read"
    "GET /v1/tables/{table}/buckets/{bucket}/records" = "read"
    "GET /v1/tables/{table}/buckets/{bucket}/changelog" = "read"
    "GET /v1/tables/{table}/partitions"               = "read"
    "GET /v1/tables/{table}/scan"                     = "read"
    "POST /v1/tables/{table}/scan"                    = "read"
    "GET /v1/tables/{table}/scan/offsets/{id}"        = "read"
    "GET /v1/tables/{table}/lake/snapshots"           = "read"
    "POST /v1/sql"                                    = "read"
    # Iceberg's REST catalog over the lake tables (read-only; the function refuses changes).
    "ANY /iceberg/{proxy+}" = "read"
    "PUT /v1/tables/{table}"                          = "tiering"
    "DELETE /v1/tables/{table}"                       = "tiering"
    "POST /v1/tables/{table}/tier"                    = "tiering"
  }
  api_routes      = var.create_http_api ? local.routes : {}
  api_functions   = var.create_http_api ? toset(values(local.routes)) : toset([])
  jwt_authorizers = var.create_http_api && var.authorization == "JWT" ? toset(["jwt"]) : toset([])
}

resource "aws_apigatewayv2_api" "sluice" {
  count         = var.create_http_api ? 1 : 0
  name          = var.name
  protocol_type = "HTTP"
  description   = "Sluice HTTP API (shared/API.md)"
}

resource "aws_cloudwatch_log_group" "api" {
  count             = var.create_http_api ? 1 : 0
  name              = "/aws/apigateway/${var.name}"
  retention_in_days = var.log_retention_days
}

resource "aws_apigatewayv2_stage" "default" {
  count       = var.create_http_api ? 1 : 0
  api_id      = aws_apigatewayv2_api.sluice[0].id
  name        = "$default"
  auto_deploy = true

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api[0].arn
    format = jsonencode({
      requestId = "$context.requestId"
      routeKey  = "$context.routeKey"
      status    = "$context.status"
      latency   = "$context.integrationLatency"
      error     = "$context.integrationErrorMessage"
    })
  }
}

resource "aws_apigatewayv2_authorizer" "jwt" {
  for_each         = local.jwt_authorizers
  api_id           = aws_apigatewayv2_api.sluice[0].id
  name             = "${var.name}-jwt"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]

  jwt_configuration {
    issuer   = var.jwt_issuer
    audience = var.jwt_audience
  }
}

resource "aws_apigatewayv2_integration" "function" {
  for_each               = local.api_functions
  api_id                 = aws_apigatewayv2_api.sluice[0].id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_alias.live[each.key].invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = 30000
}

resource "aws_apigatewayv2_route" "route" {
  for_each           = local.api_routes
  api_id             = aws_apigatewayv2_api.sluice[0].id
  route_key          = each.key
  target             = "integrations/${aws_apigatewayv2_integration.function[each.value].id}"
  authorization_type = var.authorization
  authorizer_id      = var.authorization == "JWT" ? aws_apigatewayv2_authorizer.jwt["jwt"].id : null
}

resource "aws_lambda_permission" "api" {
  for_each      = local.api_functions
  statement_id  = "AllowHttpApi"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.function[each.key].function_name
  qualifier     = aws_lambda_alias.live[each.key].name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.sluice[0].execution_arn}/*/*"
}
