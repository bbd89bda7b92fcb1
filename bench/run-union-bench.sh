#!/usr/bin/env bash
# Builds the bench module and runs the union-read benchmark (a few minutes, one JVM, local files
# only): a union scan (lake snapshot + log tail) against a lake-only scan plus direct log-tail
# reads, for Paimon and Iceberg, then a log read of 2 of 20 columns against all columns, writing
# bench/reports/union-scan.md.
#
# Usage: bench/run-union-bench.sh [report.md]   (from any directory)
# Settings go in UNION_OPTS as system properties (see UnionScanBench.Settings), for example
#   UNION_OPTS="-Dunion.lakeRows=200000 -Dunion.logRows=200000 -Dunion.formats=paimon" \
#     bench/run-union-bench.sh /tmp/union-scan.md
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# UNION_SKIP_BUILD=1 reuses what is built (e.g. while an upstream module does not compile).
if [[ "${UNION_SKIP_BUILD:-0}" != "1" ]]; then
  ./mvnw -q -B package -DskipTests -Dspotless.check.skip=true -pl bench -am
fi

jar="$(ls bench/target/sluice-bench-*.jar | grep -v -e '-benchmarks\.jar$' -e '-tests\.jar$' | head -n 1)"

# bench/target/ingest-lib holds every runtime dependency (copied by the bench build).
# shellcheck disable=SC2086
exec java --add-opens=java.base/java.nio=ALL-UNNAMED -Xmx1g ${UNION_OPTS:-} \
  -Dunion.root="$root" \
  -cp "$jar:$root/bench/target/ingest-lib/*" io.sluice.bench.scan.UnionScanBench "$@"
