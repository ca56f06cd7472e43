#!/usr/bin/env bash
# The large crash-injection run, one command: bash ops/crash/run.sh   (see ops/crash/README.md)
#
# Runs PaymentsSurviveKillTest (ops/demo) with more orders and kills than `mvn verify` does: the production gateway
# jar as its own process, killed with SIGKILL at seeded points inside callbacks and outbox deliveries and restarted
# on the same data each time, while citizens pay fines and bills through both channel simulators. Builds the
# modules it needs in the reactor (never installs), then writes ops/crash/RESULTS.md from the run's summary.
#
# Knobs (environment): CRASH_ORDERS (1000), CRASH_KILLS (6), CRASH_SEED (20261202), CRASH_THREADS (6),
# CRASH_MVN_FLAGS (extra Maven flags, e.g. -o), CRASH_RESULTS (ops/crash/RESULTS.md).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ORDERS=${CRASH_ORDERS:-1000}
KILLS=${CRASH_KILLS:-6}
SEED=${CRASH_SEED:-20261202}
THREADS=${CRASH_THREADS:-6}
RESULTS=${CRASH_RESULTS:-$HERE/RESULTS.md}

say() { printf '[crash %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date +%s)
say "$ORDERS orders, $KILLS kills, seed $SEED (load $LOAD_BEFORE)"
cd "$ROOT"
# -am builds the gateway jar and the simulators in the reactor; the test filter runs only the crash test.
# shellcheck disable=SC2086
mvn -B ${CRASH_MVN_FLAGS:-} -pl ops/demo -am verify -DskipITs -Dh5.skip=true -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtest=PaymentsSurviveKillTest -Dcrash.orders="$ORDERS" -Dcrash.kills="$KILLS" -Dcrash.seed="$SEED" \
  -Dcrash.threads="$THREADS" >"$HERE/last-run.log" 2>&1 && OUTCOME=passed || OUTCOME=FAILED
RUN=$(ls -td "$ROOT"/ops/demo/target/crash/run-"$SEED"-* 2>/dev/null | head -1 || true)
ELAPSED=$(( $(date +%s) - START ))
say "$OUTCOME after ${ELAPSED} s; Maven log $HERE/last-run.log; data and logs $RUN"

{
  echo "# Crash injection: last large run"
  echo
  echo "Produced by \`bash ops/crash/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Do not edit by hand; run it again."
  echo
  echo "- outcome: **$OUTCOME** ($ORDERS orders, $KILLS kills, seed $SEED, $THREADS client threads; ${ELAPSED} s"
  echo "  including the reactor build)"
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo);"
  echo "  load average (1/5/15 min) at the start: $LOAD_BEFORE — other builds and tests shared the cores"
  echo
  if [ "$OUTCOME" = passed ] && [ -n "$RUN" ] && [ -f "$RUN/summary.md" ]; then
    cat "$RUN/summary.md"
  else
    echo "The test did not pass; the end of its report:"
    echo
    echo '```'
    grep -E 'Tests run|FAIL|ERROR|Exception|expected|Expect' "$HERE/last-run.log" | head -30 || true
    echo '```'
  fi
} >"$RESULTS"
say "written $RESULTS"
[ "$OUTCOME" = passed ]
