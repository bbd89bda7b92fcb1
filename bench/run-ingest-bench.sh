#!/usr/bin/env bash
# Builds the local server and the bench module, then runs the ingest benchmark (about 5 minutes):
# Sluice's POST /rows with JSON and Arrow bodies at 1, 4 and 16 clients on embedded defaults and
# on s3proxy + dynalite, next to raw object store puts and a single-node Kafka broker, writing
# bench/reports/ingest.md and bench/reports/ingest.csv.
#
# Usage: bench/run-ingest-bench.sh [report.md]   (from any directory)
# Settings go in INGEST_OPTS as system properties (see IngestBench.Settings), for example
#   INGEST_OPTS="-Dingest.only=embedded,kafka -Dingest.seconds=5" bench/run-ingest-bench.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# -DskipTests rather than -Dmaven.test.skip: the harness uses the stand-ins from the object-store
# and metadata-store test-jars, which need their test classes compiled; the metadata-store build
# also installs dynalite (npm) into .build/tools. Formatting and tests belong to ./mvnw verify.
# INGEST_SKIP_BUILD=1 reuses what is built (e.g. while an upstream module does not compile).
if [[ "${INGEST_SKIP_BUILD:-0}" != "1" ]]; then
  ./mvnw -q -B package -DskipTests -Dspotless.check.skip=true -pl local-server,bench -am
fi

# The server runs from a copy, so that a rebuild of local-server during the run cannot pull the
# jars from under it.
server="$root/bench/target/ingest-server"
rm -rf "$server"
cp -r local-server/target/quarkus-app "$server"

jar="$(ls bench/target/sluice-bench-*.jar | grep -v -e '-benchmarks\.jar$' -e '-tests\.jar$' | head -n 1)"

# bench/target/ingest-lib holds every runtime dependency (copied by the bench build); the Kafka
# broker the harness starts runs as its own JVM on the same classpath.
# shellcheck disable=SC2086
exec java --add-opens=java.base/java.nio=ALL-UNNAMED ${INGEST_OPTS:-} \
  -Dingest.root="$root" -Dingest.server.jar="$server/quarkus-run.jar" \
  -Dstandins.tools.dir="$root/.build/tools" \
  -cp "$jar:$root/bench/target/ingest-lib/*" io.sluice.bench.ingest.IngestBench "$@"
