#!/usr/bin/env bash
# The contract fuzzer, large: ContractFuzzTest with 100,000 seeded cases (FUZZ_CASES) against a whole gateway with
# its channel and department simulators, then its summary. Reproduce one case: FUZZ_ONLY=<index>[,<index>…] with the
# same FUZZ_SEED. Not part of `mvn -B verify` (which runs 10,000 cases); see ops/fuzz/RESULTS.md and the README, "The suite that keeps it so".
set -euo pipefail
cd "$(dirname "$0")/../.."

CASES=${FUZZ_CASES:-100000}
SEED=${FUZZ_SEED:-20261202}
THREADS=${FUZZ_THREADS:-6}
ONLY=${FUZZ_ONLY:-}
# A refusal is logged once per request at INFO: 100,000 of them are only noise here.
export GOVGATE_LOG_LEVEL=${GOVGATE_LOG_LEVEL:-WARN}
export GOVGATE_LOG_ACCESS_LEVEL=${GOVGATE_LOG_ACCESS_LEVEL:-WARN}

echo "fuzz: $CASES cases, seed $SEED, $THREADS connections; load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
mkdir -p src/target
start=$(date +%s)
status=0
mvn -B -q -pl src -am verify -Dtest=ContractFuzzTest -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=none \
  -DskipITs -Dfuzz.cases="$CASES" -Dfuzz.seed="$SEED" -Dfuzz.threads="$THREADS" -Dfuzz.only="$ONLY" \
  > src/target/fuzz-maven.log 2>&1 || status=$?
echo "took $(( $(date +%s) - start )) s; load after: $(cut -d' ' -f1-3 /proc/loadavg); maven exit $status"
cat src/target/fuzz-summary.txt
exit "$status"
