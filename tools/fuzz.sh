#!/usr/bin/env bash
# The fuzzing campaign of the write path's body decoders (core's RowBodyFuzzTest, Jazzer): runs
# the fuzz test ROUNDS times (default 5) of 30 s each, about 400,000 to 800,000 inputs a round on
# two cores, each round starting from the corpus the previous ones grew (core/.cifuzz-corpus).
# A finding fails the round and leaves its input as core/crash-<hash>: copy it into
# core/src/test/resources/io/sluice/core/service/RowBodyFuzzTestInputs/aBodyDecodesToRowsOrACallerError/
# so that every build replays it, then fix the decoder.
#
# Usage: tools/fuzz.sh [ROUNDS]   (from any directory)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rounds="${1:-5}"
./mvnw -q -B install -DskipTests -Dspotless.check.skip=true -pl core -am
total=0
for round in $(seq 1 "$rounds"); do
  log="core/target/fuzz-round-$round.log"
  JAZZER_FUZZ=1 ./mvnw -B -o test -Dspotless.check.skip=true -pl core -Dtest=RowBodyFuzzTest \
    -Dsurefire.failIfNoSpecifiedTests=false > "$log" 2>&1 || {
    echo "round $round: a finding (see $log and core/crash-*)" >&2
    exit 1
  }
  inputs="$(grep -o '^#[0-9]*[[:space:]]*DONE' "$log" | tr -dc '0-9')"
  total=$((total + ${inputs:-0}))
  echo "round $round: ${inputs:-?} inputs, no finding ($total in all)"
done
