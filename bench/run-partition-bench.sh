#!/usr/bin/env bash
# Builds the local server and the bench module, then runs the partition benchmark (about 10
# minutes): writes to a table partitioned by day against the same table unpartitioned, with one
# and with ten partitions per request, and one tiering run over 1,000 partitions, writing
# bench/reports/partitions.md. The section on pruned union scans is written by
# bench/run-partition-scan-bench.sh and kept as it is here.
#
# Usage: bench/run-partition-bench.sh [report.md]   (from any directory)
# Settings go in PARTITION_OPTS as system properties (see PartitionBench), for example
#   PARTITION_OPTS="-Dpartitions.rounds=1 -Dpartitions.seconds=4" bench/run-partition-bench.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [[ "${PARTITION_SKIP_BUILD:-0}" != "1" ]]; then
  ./mvnw -q -B package -DskipTests -Dspotless.check.skip=true -pl local-server,bench -am
fi

# The server runs from a copy, so that a rebuild of local-server cannot pull its jars away.
server="$root/bench/target/partition-server"
rm -rf "$server"
cp -r local-server/target/quarkus-app "$server"

jar="$(ls bench/target/sluice-bench-*.jar | grep -v -e '-benchmarks\.jar$' -e '-tests\.jar$' | head -n 1)"

# shellcheck disable=SC2086
exec java --add-opens=java.base/java.nio=ALL-UNNAMED ${PARTITION_OPTS:-} \
  -Dingest.root="$root" -Dingest.server.jar="$server/quarkus-run.jar" \
  -Dlogback.configurationFile=ingest-logback.xml \
  -cp "$jar:$root/bench/target/ingest-lib/*" io.sluice.bench.ingest.PartitionBench "$@"
