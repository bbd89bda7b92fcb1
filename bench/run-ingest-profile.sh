#!/usr/bin/env bash
# Builds the local server and the bench module, then profiles the server with JFR under the ingest
# benchmark's Arrow load (16 clients, 30 s after a warm-up until the JIT is idle), writing
# bench/reports/ingest-profile-<label>.md: where the server's CPU goes, by component.
#
# Usage: bench/run-ingest-profile.sh <label>   (from any directory), e.g. "before" or "after"
# Settings: PROFILE_OPTS="-Dprofile.clients=16 -Dprofile.seconds=30 -Dprofile.body=arrow|json"
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
label="${1:-current}"

if [[ "${INGEST_SKIP_BUILD:-0}" != "1" ]]; then
  ./mvnw -q -B package -DskipTests -Dspotless.check.skip=true -pl local-server,bench -am
fi

server="$root/bench/target/profile-server"
rm -rf "$server"
cp -r local-server/target/quarkus-app "$server"
jar="$(ls bench/target/sluice-bench-*.jar | grep -v -e '-benchmarks\.jar$' -e '-tests\.jar$' | head -n 1)"

# shellcheck disable=SC2086
exec java --add-opens=java.base/java.nio=ALL-UNNAMED ${PROFILE_OPTS:-} \
  -Dingest.root="$root" -Dingest.server.jar="$server/quarkus-run.jar" \
  -cp "$jar:$root/bench/target/ingest-lib/*" io.sluice.bench.ingest.IngestProfile "$label"
