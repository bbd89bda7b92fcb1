#!/usr/bin/env bash
# Builds the benchmarks jar and runs the segment codec benchmark (a few minutes), writing
# bench/reports/segment-codec.md and bench/reports/segment-codec.json.
# Usage: bench/run-segment-bench.sh [report.md]   (from any directory)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Tests and formatting are checked by the normal build (./mvnw verify); a benchmark run
# should not fail on them, nor on test code others are still editing in the modules it builds.
./mvnw -q -pl bench -am package -DskipTests -Dspotless.check.skip=true

jar="$(ls bench/target/sluice-bench-*-benchmarks.jar | head -n 1)"
report="${1:-$root/bench/reports/segment-codec.md}"

# The jar's manifest opens java.nio for Arrow; the forked benchmark JVMs get it from @Fork.
exec java -jar "$jar" "$report"
