#!/usr/bin/env bash
# Builds the bench module and runs the partition-scan benchmark (about 3-4 minutes, one JVM, local
# files only): a table partitioned by day(t) with 30 days of rows, most tiered into Paimon and
# Iceberg and a tail in the log; per lake format, the bytes and requests of a union scan of every
# row against a union scan filtered to one day, for every day. Rewrites its section of
# bench/reports/partitions.md (the rest of the report, from run-partition-bench.sh, stays).
#
# Usage: bench/run-partition-scan-bench.sh [report.md]   (from any directory)
# Settings go in PSCAN_OPTS as system properties (see PartitionScanBench.Settings), for example
#   PSCAN_OPTS="-Dpscan.days=10 -Dpscan.rowsPerDay=5000 -Dpscan.formats=paimon" \
#     bench/run-partition-scan-bench.sh /tmp/partitions.md
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# PSCAN_SKIP_BUILD=1 reuses what is built.
if [[ "${PSCAN_SKIP_BUILD:-0}" != "1" ]]; then
  ./mvnw -q -B package -DskipTests -Dspotless.check.skip=true -pl bench -am
fi

jar="$(ls bench/target/sluice-bench-*.jar | grep -v -e '-benchmarks\.jar$' -e '-tests\.jar$' | head -n 1)"

# bench/target/ingest-lib holds every runtime dependency (copied by the bench build).
# shellcheck disable=SC2086
exec java --add-opens=java.base/java.nio=ALL-UNNAMED -Xmx2g ${PSCAN_OPTS:-} \
  -Dpscan.root="$root" \
  -cp "$jar:$root/bench/target/ingest-lib/*" io.sluice.bench.scan.PartitionScanBench "$@"
