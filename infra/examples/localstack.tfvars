# LocalStack (free edition): tflocal init && tflocal apply -var-file=examples/localstack.tfvars
# tflocal points the AWS provider at LocalStack; the functions, running in LocalStack's Lambda
# containers, reach it at localhost.localstack.cloud.
name   = "sluice"
region = "us-east-1"

# No HTTP API in the free edition: the functions get URLs (payload 2.0 too) instead.
create_http_api = false
function_urls   = true
snap_start      = false

s3_endpoint       = "http://localhost.localstack.cloud:4566"
dynamodb_endpoint = "http://localhost.localstack.cloud:4566"

# No Glue in the free edition: Iceberg's JDBC catalog on a SQLite file that every function's
# container sees (start LocalStack with LAMBDA_DOCKER_FLAGS="-v /tmp/sluice-catalog:/catalog").
iceberg_catalog = "jdbc"
iceberg_uri     = "jdbc:sqlite:/catalog/iceberg-catalog.db"

force_destroy = true
