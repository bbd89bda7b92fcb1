#!/usr/bin/env bash
# Builds the three Lambda packages and the local server, then times their cold starts (a few
# minutes): package sizes, JVM start to first answered request per package and for the local
# server, writing bench/reports/cold-start.md.
#
# Usage: bench/run-cold-start-bench.sh [runs]   (from any directory; default 3 runs)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# COLDSTART_SKIP_BUILD=1 reuses what is built.
if [[ "${COLDSTART_SKIP_BUILD:-0}" != "1" ]]; then
  ./mvnw -q -B package -DskipTests -Dspotless.check.skip=true -pl bench,local-server,localstack-tests -am
  # dynalite (npm), which -DskipTests leaves uninstalled
  ./mvnw -q -B generate-test-resources -Dspotless.check.skip=true -pl metadata-store -am
fi

jar="$(ls bench/target/sluice-bench-*.jar | grep -v -e '-benchmarks\.jar$' -e '-tests\.jar$' | head -n 1)"

exec java --add-opens=java.base/java.nio=ALL-UNNAMED \
  -Dcoldstart.root="$root" -Dcoldstart.runs="${1:-3}" \
  -Dlambda.runtime.client.dir="$root/localstack-tests/target/lambda-runtime-client" \
  -Dstandins.tools.dir="$root/.build/tools" \
  -cp "$jar:$root/bench/target/ingest-lib/*" io.sluice.bench.coldstart.ColdStartBench
