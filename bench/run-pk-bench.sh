#!/usr/bin/env bash
# Builds the bench module and runs the primary-key benchmark (one JVM, local files only): upserts
# of distinct keys into a log table and a primary-key table (last_row) of the same columns, one
# tiering run into Paimon, partial updates that stay in the log, then union scans of both tables
# and the heap the primary-key union holds; writes bench/reports/primary-keys.md.
#
# Usage: bench/run-pk-bench.sh [report.md]   (from any directory)
# Settings go in PK_OPTS as system properties (see PrimaryKeyBench.Settings), for example
#   PK_OPTS="-Dpk.keys=200000" bench/run-pk-bench.sh /tmp/primary-keys.md
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# PK_SKIP_BUILD=1 reuses what is built.
if [[ "${PK_SKIP_BUILD:-0}" != "1" ]]; then
  ./mvnw -q -B package -DskipTests -Dspotless.check.skip=true -pl bench -am
fi

jar="$(ls bench/target/sluice-bench-*.jar | grep -v -e '-benchmarks\.jar$' -e '-tests\.jar$' | head -n 1)"

# 2 GiB: tiering a primary-key table holds a bucket's log rows as Java objects (about 250,000
# rows of 20 columns per bucket at 1,000,000 keys).
# bench/target/ingest-lib holds every runtime dependency (copied by the bench build).
# shellcheck disable=SC2086
exec java --add-opens=java.base/java.nio=ALL-UNNAMED -Xmx2g ${PK_OPTS:-} \
  -Dpk.root="$root" \
  -cp "$jar:$root/bench/target/ingest-lib/*" io.sluice.bench.scan.PrimaryKeyBench "$@"
