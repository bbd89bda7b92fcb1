#!/usr/bin/env bash
# The long versions of local-server's reliability tests (docs/reliability.md), each run ROUNDS
# times, round n with seed n. A round that fails stops the campaign; every round's log is kept in
# local-server/target/<campaign>-round-<n>.log, and the figures it prints are shown.
#
#   tools/campaign.sh faults [ROUNDS] [REQUESTS]  FaultInjectionITCase: REQUESTS per writer (60)
#                                                 through faulty S3 and DynamoDB
#   tools/campaign.sh kills [ROUNDS] [KILLS] [ROWS]  ClientServerRestartITCase: the server killed
#                                                 KILLS times (10) while 8 threads write ROWS each
#                                                 (12000), on both store shapes
#   tools/campaign.sh http [ROUNDS] [REQUESTS]    HttpFuzzITCase: REQUESTS generated requests
#                                                 (20000)
#
# ROUNDS defaults to 3. Run from any directory.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
campaign="${1:?usage: tools/campaign.sh faults|kills|http [ROUNDS] [...]}"
rounds="${2:-3}"
case "$campaign" in
  faults) test=FaultInjectionITCase; marker=faults
    settings=(-Dfaults.requests="${3:-60}") ;;
  kills) test=ClientServerRestartITCase; marker=kills
    settings=(-Drestart.kills="${3:-10}" -Drestart.rows-per-thread="${4:-12000}") ;;
  http) test=HttpFuzzITCase; marker=httpfuzz
    settings=(-Dhttpfuzz.requests="${3:-20000}") ;;
  *) echo "unknown campaign $campaign: faults, kills or http" >&2; exit 2 ;;
esac
./mvnw -q -B install -DskipTests -Dspotless.check.skip=true -pl local-server -am
for round in $(seq 1 "$rounds"); do
  log="local-server/target/$campaign-round-$round.log"
  ./mvnw -B -o verify -Dspotless.check.skip=true -Djacoco.skip=true -pl local-server \
    -Dit.test="$test" -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dfailsafe.failIfNoSpecifiedTests=false -Dfaults.seed="$round" -Dhttpfuzz.seed="$round" \
    "${settings[@]}" > "$log" 2>&1 || {
    echo "round $round: failed (see $log)" >&2
    exit 1
  }
  grep -o "\[$marker\].*" "$log" | sed "s/^/round $round: /"
done
