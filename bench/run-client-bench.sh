#!/usr/bin/env bash
# Builds the local server and the bench module, then runs the client benchmark (5-10 minutes):
# small rows written one by one through the Java client's TableWriter (1 and 8 producer threads,
# one shared writer) against the embedded local server, next to a KafkaProducer (linger.ms=5,
# acks=all) on a single-node broker with default flushing and with an fsync per append; then a
# TableReader following the table from latest, with the latency from acknowledgement to poll.
# Writes bench/reports/client.md.
#
# Usage: bench/run-client-bench.sh [report.md]   (from any directory)
# Settings go in CLIENT_OPTS as system properties (see ClientBench.Settings), for example a short
# run to check that it works (a few seconds per measurement; not a report to keep):
#   CLIENT_OPTS="-Dclient.seconds=3 -Dclient.warmup.seconds=2 -Dclient.warmup.max-rounds=2" \
#     bench/run-client-bench.sh /tmp/client.md
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# -DskipTests rather than -Dmaven.test.skip: the bench module uses other modules' test-jars.
# Formatting and tests belong to ./mvnw verify. CLIENT_SKIP_BUILD=1 reuses what is built.
if [[ "${CLIENT_SKIP_BUILD:-0}" != "1" ]]; then
  ./mvnw -q -B package -DskipTests -Dspotless.check.skip=true -pl local-server,bench -am
fi

# The server runs from a copy, so that a rebuild of local-server during the run cannot pull the
# jars from under it.
server="$root/bench/target/client-server"
rm -rf "$server"
cp -r local-server/target/quarkus-app "$server"

jar="$(ls bench/target/sluice-bench-*.jar | grep -v -e '-benchmarks\.jar$' -e '-tests\.jar$' | head -n 1)"

# bench/target/ingest-lib holds every runtime dependency (the client and Kafka included, copied by
# the bench build); the Kafka broker the harness starts runs as its own JVM on the same classpath.
# shellcheck disable=SC2086
exec java --add-opens=java.base/java.nio=ALL-UNNAMED ${CLIENT_OPTS:-} \
  -Dingest.root="$root" -Dingest.server.jar="$server/quarkus-run.jar" \
  -cp "$jar:$root/bench/target/ingest-lib/*" io.sluice.bench.ingest.ClientBench "$@"
