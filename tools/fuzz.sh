#!/usr/bin/env bash
# A fuzzing campaign of one fuzz test (Jazzer; core's or read-function's): runs it ROUNDS times (default 5), each
# round as long as the test's maxDuration, each starting from the corpus the previous ones grew
# (<module>/.cifuzz-corpus). The tests (one per JVM: Jazzer fuzzes one fuzz test at a time):
#   RowBodyFuzzTest                                   the write path's body decoders (default)
#   RequestFuzzTest#aDefinitionIsTakenOrItsProblemsNamed   table definitions
#   RequestFuzzTest#aFilterIsTakenOrItsProblemNamed        scan filters
#   SqlFuzzTest                                       how POST /v1/sql reads a query (read-function)
# A finding fails the round; Jazzer writes its input beside the test's kept inputs
# (<module>/src/test/resources/<package>/<Test>Inputs/<method>/crash-<hash>), so
# that every build replays it: rename it after what it found, then fix the code.
#
# Usage: tools/fuzz.sh [ROUNDS] [TEST]   (from any directory)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rounds="${1:-5}"
test="${2:-RowBodyFuzzTest}"
module=core
if [[ "$test" == SqlFuzzTest* ]]; then
  module=read-function
fi
./mvnw -q -B install -DskipTests -Dspotless.check.skip=true -pl "$module" -am
total=0
for round in $(seq 1 "$rounds"); do
  log="$module/target/fuzz-round-$round.log"
  # Only the default execution, with fuzzing on and the one test selected.
  JAZZER_FUZZ=1 ./mvnw -B -o surefire:test@default-test -Dspotless.check.skip=true -pl "$module" \
    -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false > "$log" 2>&1 || {
    echo "round $round: a finding (see $log)" >&2
    exit 1
  }
  inputs="$(grep -o '^#[0-9]*[[:space:]]*DONE' "$log" | tr -dc '0-9')"
  total=$((total + ${inputs:-0}))
  echo "round $round: ${inputs:-?} inputs, no finding ($total in all)"
done
