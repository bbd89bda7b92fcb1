#!/usr/bin/env bash
# A fuzzing campaign of one of core's fuzz tests (Jazzer): runs it ROUNDS times (default 5), each
# round as long as the test's maxDuration, each starting from the corpus the previous ones grew
# (core/.cifuzz-corpus). The tests (one per JVM: Jazzer fuzzes one fuzz test at a time):
#   RowBodyFuzzTest                                   the write path's body decoders (default)
#   RequestFuzzTest#aDefinitionIsTakenOrItsProblemsNamed   table definitions
#   RequestFuzzTest#aFilterIsTakenOrItsProblemNamed        scan filters
# A finding fails the round; Jazzer writes its input beside the test's kept inputs
# (core/src/test/resources/io/sluice/core/<package>/<Test>Inputs/<method>/crash-<hash>), so
# that every build replays it: rename it after what it found, then fix the code.
#
# Usage: tools/fuzz.sh [ROUNDS] [TEST]   (from any directory)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rounds="${1:-5}"
test="${2:-RowBodyFuzzTest}"
./mvnw -q -B install -DskipTests -Dspotless.check.skip=true -pl core -am
total=0
for round in $(seq 1 "$rounds"); do
  log="core/target/fuzz-round-$round.log"
  # Only the default execution, with fuzzing on and the one test selected.
  JAZZER_FUZZ=1 ./mvnw -B -o surefire:test@default-test -Dspotless.check.skip=true -pl core \
    -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false > "$log" 2>&1 || {
    echo "round $round: a finding (see $log)" >&2
    exit 1
  }
  inputs="$(grep -o '^#[0-9]*[[:space:]]*DONE' "$log" | tr -dc '0-9')"
  total=$((total + ${inputs:-0}))
  echo "round $round: ${inputs:-?} inputs, no finding ($total in all)"
done
