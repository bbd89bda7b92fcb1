#!/usr/bin/env bash
# Builds the bench module and runs the tiering benchmark (about 3-4 minutes, one JVM, local files
# only): tiering rows/s into Paimon and into Iceberg against each library's own writer on the
# same rows, then lake freshness p50/p99 under a steady write load with
# freshness 10s, writing bench/reports/tiering.md.
#
# Usage: bench/run-tiering-bench.sh [report.md]   (from any directory)
# Settings go in TIERING_OPTS as system properties (see TieringBench.Settings), for example
#   TIERING_OPTS="-Dtiering.rows=50000 -Dtiering.freshnessSeconds=30" bench/run-tiering-bench.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# TIERING_SKIP_BUILD=1 reuses what is built (e.g. while an upstream module does not compile).
if [[ "${TIERING_SKIP_BUILD:-0}" != "1" ]]; then
  ./mvnw -q -B package -DskipTests -Dspotless.check.skip=true -pl bench -am
fi

jar="$(ls bench/target/sluice-bench-*.jar | grep -v -e '-benchmarks\.jar$' -e '-tests\.jar$' | head -n 1)"

# bench/target/ingest-lib holds every runtime dependency (copied by the bench build).
# shellcheck disable=SC2086
exec java --add-opens=java.base/java.nio=ALL-UNNAMED -Xmx1g ${TIERING_OPTS:-} \
  -Dtiering.root="$root" \
  -cp "$jar:$root/bench/target/ingest-lib/*" io.sluice.bench.tiering.TieringBench "$@"
