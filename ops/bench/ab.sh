#!/usr/bin/env bash
# Scenario (a) on two gateway jars in one stack, alternating: bash ops/bench/ab.sh BASE.jar NEW.jar
#
# A short, focused measurement for one change of the hot path (see ops/bench/README.md, "A/B of a change"). It starts
# BenchStack (embedded PostgreSQL, channel and department simulators) with a small preparation and BASE.jar as its
# gateway, then a second gateway process from NEW.jar on the same database, keys and simulators (a copy of the
# generated configuration with another port). Both are warmed up over every token; then AB_ROUNDS rounds of (a)
# alternate between them (base, new, base, new ...), and around each run the CPU time of that gateway JVM, of
# PostgreSQL (postmaster and backends) and of the simulators' JVM is read from /proc and divided by the requests,
# with PostgreSQL's own counters (transactions, rows inserted and fetched, index scans per table) per request.
# Prints one line per run and the medians; the load average before and after. Everything it started is stopped.
#
# Knobs: AB_ROUNDS (3), AB_DURATION (10 s), AB_CONNECTIONS (32), AB_THREADS (2), AB_CITIZENS (3000), AB_L3 (1000),
# AB_HEAP (1g, both gateways), AB_JFR (empty; "new" or "base": that gateway records a JFR profile of its last run
# into ops/bench/work-ab/<which>.jfr), AB_JFR_SETTINGS (profile: JFR's settings, a name or a .jfc file; the
# profile samples every 10 ms, a copy with jdk.ExecutionSample at 1 ms gives ten times the samples), AB_CPUS (all cores).
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 BASE.jar NEW.jar" >&2; exit 2; }
BASE_JAR=$(realpath "$1"); NEW_JAR=$(realpath "$2")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK="$HERE/work-ab"
ROUNDS=${AB_ROUNDS:-3}; DURATION=${AB_DURATION:-10}; CONNECTIONS=${AB_CONNECTIONS:-32}; THREADS=${AB_THREADS:-2}
CITIZENS=${AB_CITIZENS:-3000}; L3=${AB_L3:-1000}; HEAP=${AB_HEAP:-1g}; JFR=${AB_JFR:-}
CPUS=${AB_CPUS:-0-$(( $(nproc) - 1 ))}
JFR_SETTINGS=${AB_JFR_SETTINGS:-profile}
DEMO_JAR="$ROOT/ops/demo/target/govgate-demo.jar"
HZ=$(getconf CLK_TCK)
say() { printf '[ab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }
[ -f "$DEMO_JAR" ] || die "build the demo jar first (mvn -B -q -DskipTests -pl ops/demo -am package)"

STACK_PID=""; NEW_PID=""
cleanup() {
  set +e
  [ -n "$NEW_PID" ] && kill -TERM "$NEW_PID" 2>/dev/null && wait "$NEW_PID" 2>/dev/null
  if [ -n "$STACK_PID" ] && kill -0 "$STACK_PID" 2>/dev/null; then
    kill -TERM "$STACK_PID"
    for _ in $(seq 1 90); do kill -0 "$STACK_PID" 2>/dev/null || break; sleep 1; done
    kill -0 "$STACK_PID" 2>/dev/null && kill -KILL "$STACK_PID"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -rf "$WORK"; mkdir -p "$WORK"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

say "starting BenchStack ($CITIZENS citizens, $L3 at L3) with the base gateway"
GOVGATE_LOG_ACCESS_LEVEL=OFF taskset -c "$CPUS" java -Xms1g -Xmx1g -Dgovgate.demo.pgStatementStats=true -cp "$DEMO_JAR" \
  cn.govgate.demo.bench.BenchStack \
  --out "$WORK" --citizens "$CITIZENS" --l3 "$L3" --codes 0 --concurrency 8 --gateway-classpath "$BASE_JAR" \
  --gateway-jvm "-Xms$HEAP -Xmx$HEAP" >"$WORK/stack.log" 2>&1 &
STACK_PID=$!
DESC=""
for _ in $(seq 1 900); do
  DESC=$(grep -m1 '^{"gateway"' "$WORK/stack.log" || true)
  [ -n "$DESC" ] && break
  kill -0 "$STACK_PID" 2>/dev/null || die "BenchStack stopped: $(tail -3 "$WORK/stack.log")"
  sleep 1
done
[ -n "$DESC" ] || die "BenchStack not ready in 15 minutes"
j() { jq -r ".$1" <<<"$DESC"; }
BASE_URL=$(j gateway); BASE_PID=$(j gatewayPid); SIM_PID=$(j pid); REGION=$(j region); TOKENS=$(j tokens)
PG_PID=$(head -1 "$(j postgresDir)/postmaster.pid")
PGPORT=$(sed -n 's/^db\.port=//p' "$WORK/gateway.properties")

# The second gateway: the same configuration on another free port, started from NEW.jar.
NEW_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
install -m 600 /dev/null "$WORK/gateway-new.properties"
sed "s/^http\.port=.*/http.port=$NEW_PORT/" "$WORK/gateway.properties" >"$WORK/gateway-new.properties"
GOVGATE_LOG_ACCESS_LEVEL=OFF taskset -c "$CPUS" java -Xms"$HEAP" -Xmx"$HEAP" -cp "$NEW_JAR" cn.govgate.app.Main \
  --config "$WORK/gateway-new.properties" >"$WORK/gateway-new.log" 2>&1 &
NEW_PID=$!
NEW_URL="http://127.0.0.1:$NEW_PORT"
for _ in $(seq 1 120); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$NEW_URL/health/ready")" = 200 ] && break
  kill -0 "$NEW_PID" 2>/dev/null || die "the new gateway stopped: $(tail -3 "$WORK/gateway-new.log")"
  sleep 1
done
say "ready: base $BASE_URL (pid $BASE_PID), new $NEW_URL (pid $NEW_PID), PostgreSQL pid $PG_PID"

ticks() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }; s=${s##*) }
  # shellcheck disable=SC2086
  set -- $s; echo $(( ${12} + ${13} + ${14} + ${15} )); }
tree_ticks() { local t c; t=$(ticks "$1"); for c in $(pgrep -P "$1" || true); do t=$(( t + $(ticks "$c") )); done; echo "$t"; }
sql() { PGHOST=127.0.0.1 PGUSER=postgres PGDATABASE=postgres PGPORT=$PGPORT psql -tAq "$@"; }
sql -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
# statements N: the statements of the last run by PostgreSQL time (plan + execute), per request of the run's N
statements() {
  sql -F' | ' -c "SELECT round((sum(calls) / $1)::numeric, 3) AS calls_per_request,
      round((sum(total_plan_time + total_exec_time) * 1000 / $1)::numeric, 1) AS us_per_request,
      left(regexp_replace(query, '\s+', ' ', 'g'), 110)
    FROM pg_stat_statements GROUP BY query ORDER BY 2 DESC LIMIT 10"
}
pgstats() {
  PGHOST=127.0.0.1 PGUSER=postgres PGDATABASE=postgres PGPORT=$PGPORT psql -tAq -F' ' -c "
    SELECT 'xact', xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()
    UNION ALL SELECT 'ins', tup_inserted FROM pg_stat_database WHERE datname = current_database()
    UNION ALL SELECT 'fetch', tup_fetched FROM pg_stat_database WHERE datname = current_database()
    UNION ALL SELECT 'idx.' || relname, coalesce(idx_scan, 0) + seq_scan FROM pg_stat_user_tables
      WHERE coalesce(idx_scan, 0) + seq_scan > 0" 2>/dev/null | sort
}
run() { # URL SECONDS OFFSET -> wrk's BENCH_RESULT JSON
  BENCH_LUA="$HERE/lua" BENCH_THREADS="$THREADS" BENCH_CONNECTIONS="$CONNECTIONS" BENCH_RATE=0 BENCH_OFFSET="$3" \
    BENCH_TOKENS="$TOKENS" BENCH_REGION="$REGION" taskset -c "$CPUS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2s" \
    --timeout 10s -s "$HERE/lua/scenario-a.lua" "$1" >"$WORK/wrk.txt" 2>&1 || die "wrk: $(tail -3 "$WORK/wrk.txt")"
  grep -m1 '^BENCH_RESULT ' "$WORK/wrk.txt" | sed 's/^BENCH_RESULT //'
}

TOKEN=$(grep -m1 -o '"[^"]*"' "$TOKENS" | tr -d '"')
for url in "$BASE_URL" "$NEW_URL"; do
  code=$(curl -s -o "$WORK/probe.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    "$url/v1/social-security/account?region=$REGION")
  [ "$code" = 200 ] || die "(a) on $url answered $code: $(cat "$WORK/probe.json")"
done
say "warm-up: every token once on each gateway, then 5 s each"
for url in "$BASE_URL" "$NEW_URL"; do
  sent=0
  while [ "$sent" -lt "$L3" ]; do sent=$(( sent + $(run "$url" 5 "$sent" | jq -r .requests) )); done
  run "$url" 5 0 >/dev/null
done

: >"$WORK/runs.jsonl"
for round in $(seq 1 "$ROUNDS"); do
  for which in base new; do
    if [ "$which" = base ]; then url=$BASE_URL; pid=$BASE_PID; else url=$NEW_URL; pid=$NEW_PID; fi
    if [ "$which" = "$JFR" ] && [ "$round" = "$ROUNDS" ]; then
      jcmd "$pid" JFR.start name=ab settings="$JFR_SETTINGS" filename="$WORK/$which.jfr" >/dev/null
    fi
    sql -c "SELECT pg_stat_statements_reset()" >/dev/null
    pg0=$(pgstats); b=$(ticks "$pid"); p=$(tree_ticks "$PG_PID"); s=$(ticks "$SIM_PID")
    r=$(run "$url" "$DURATION" $(( RANDOM * 7 )))
    b=$(( $(ticks "$pid") - b )); p=$(( $(tree_ticks "$PG_PID") - p )); s=$(( $(ticks "$SIM_PID") - s ))
    pg1=$(pgstats)
    if [ "$which" = "$JFR" ] && [ "$round" = "$ROUNDS" ]; then jcmd "$pid" JFR.stop name=ab >/dev/null; fi
    n=$(jq -r '[.requests, 1] | max' <<<"$r")
    pgper=$(join -a2 -e0 -o '0,1.2,2.2' <(echo "$pg0") <(echo "$pg1") |
      awk -v n="$n" '{ d = ($3 - $2) / n; if (d > 0.0005) printf "%s %.3f, ", $1, d }')
    line=$(jq -c --arg w "$which" --argjson round "$round" --argjson hz "$HZ" --argjson b "$b" --argjson p "$p" \
      --argjson s "$s" --arg pg "${pgper%, }" \
      '{which: $w, round: $round, rps: (.rps | floor), p50ms: (.p50 / 1000), p99ms: (.p99 / 1000),
        errors: (.non2xx + .socketErrors),
        gatewayUs: ($b / $hz * 1e6 / ([.requests, 1] | max) | floor),
        postgresUs: ($p / $hz * 1e6 / ([.requests, 1] | max) | floor),
        simulatorsUs: ($s / $hz * 1e6 / ([.requests, 1] | max) | floor), pgPerRequest: $pg}' <<<"$r")
    echo "$line" >>"$WORK/runs.jsonl"
    say "$line"
    { echo "$which round $round: calls per request | PostgreSQL plan + execute µs per request | statement"
      statements "$n"; echo; } >>"$WORK/statements.txt"
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
echo
echo "PostgreSQL statements of the last round (pg_stat_statements; plan + execute time, not CPU):"
awk -v r="round $ROUNDS:" 'index($0, r) { p = 1 } p' "$WORK/statements.txt"
echo "load average before: $LOAD_BEFORE; after: $LOAD_AFTER; $ROUNDS rounds of ${DURATION} s, $CONNECTIONS connections"
jq -s -r 'def med: sort | .[(length - 1) / 2 | floor];
  group_by(.which) | .[] | "\(.[0].which): req/s \(map(.rps) | med) (\(map(.rps) | min)–\(map(.rps) | max)), gateway \(map(.gatewayUs) | med) µs/req (\(map(.gatewayUs) | min)–\(map(.gatewayUs) | max)), PostgreSQL \(map(.postgresUs) | med) µs/req, simulators \(map(.simulatorsUs) | med) µs/req, errors \(map(.errors) | add)"' \
  "$WORK/runs.jsonl"
