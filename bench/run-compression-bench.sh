#!/usr/bin/env bash
# Builds the bench module and compares the segment compressions (ZSTD levels, LZ4, none) on a
# group as the write path builds it, writing bench/reports/segment-compression.md.
#
# Usage: bench/run-compression-bench.sh [report.md]   (from any directory)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

./mvnw -q -pl bench -am package -DskipTests -Dspotless.check.skip=true

# The plain jar on the full runtime classpath: LZ4 needs commons-compress, which the shaded
# benchmarks jar leaves out.
jar="$(ls bench/target/sluice-bench-*.jar | grep -v -e '-benchmarks\.jar$' -e '-tests\.jar$' | head -n 1)"
exec java --add-opens=java.base/java.nio=ALL-UNNAMED -cp "$jar:$root/bench/target/ingest-lib/*" \
  io.sluice.bench.CompressionChoice "${1:-$root/bench/reports/segment-compression.md}"
