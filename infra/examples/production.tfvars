# terraform apply -var-file=examples/production.tfvars
name   = "sluice"
region = "eu-west-1"

# Build for Graviton first: ./mvnw package -DskipTests -Dlambda.arch=arm64
architecture = "arm64"

memory_mb       = { write = 1024, read = 2048, tiering = 2048 }
timeout_seconds = { write = 30, read = 30, tiering = 90 }

log_retention_days = 30

# AWS_IAM (default): callers sign requests with SigV4 and need execute-api:Invoke.
# For a JWT issuer (Cognito, Auth0, ...) instead:
# authorization = "JWT"
# jwt_issuer    = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE"
# jwt_audience  = ["sluice-clients"]

iceberg_catalog = "glue"
