#!/usr/bin/env bash
# The govgate soak, one command: bash ops/soak/run.sh   (see ops/soak/README.md)
#
# Starts the benchmark's stack (BenchStack from the demo jar: embedded PostgreSQL, channel and department simulators
# in one JVM, the gateway - src/target/govgate.jar - as a process of its own; L3 tokens prepared through the real
# APIs), measures the benchmark's scenario (a) unpaced to find its
# maximum rate on this machine now, then holds SOAK_FRACTION (70 %) of it with wrk for SOAK_DURATION seconds in
# SOAK_INTERVAL slices while a flipper switches the department simulators' faults on and off. After every slice
# it records: requests, errors (non-2xx and socket errors), p99, stale serves, the heap after a full GC (jcmd
# GC.run then GC.heap_info) and the open file descriptors and sockets of the gateway process, established
# connections to the gateway and PostgreSQL processes (from /proc). Writes ops/soak/RESULTS.md. Reuses ops/bench (its Lua scripts) read-only.
#
# Knobs (environment): SOAK_DURATION (1800 s), SOAK_INTERVAL (60 s), SOAK_FRACTION (0.7), SOAK_RATE (requests/s;
# default: SOAK_FRACTION of the measured maximum), SOAK_PROBE (20 s unpaced run that measures the maximum),
# SOAK_FLIP (20 s per fault), SOAK_CONNECTIONS (16), SOAK_THREADS (2), SOAK_CITIZENS (5000), SOAK_L3 (2000),
# SOAK_HEAP (1g, the gateway's), SOAK_SIM_HEAP (1g), SOAK_CPUS (all), SOAK_RESULTS (ops/soak/RESULTS.md),
# SOAK_JAVA_OPTS (the gateway's), SOAK_JARS (a directory holding a built govgate-demo.jar and govgate.jar to use as
# they are, instead of checking and building the ones under target/).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LUA="$ROOT/ops/bench/lua"
WORK="$HERE/work"
DURATION=${SOAK_DURATION:-1800}
INTERVAL=${SOAK_INTERVAL:-60}
FRACTION=${SOAK_FRACTION:-0.7}
PROBE=${SOAK_PROBE:-20}
FLIP=${SOAK_FLIP:-20}
CONNECTIONS=${SOAK_CONNECTIONS:-16}
THREADS=${SOAK_THREADS:-2}
CITIZENS=${SOAK_CITIZENS:-5000}
L3=${SOAK_L3:-2000}
HEAP=${SOAK_HEAP:-1g}
SIM_HEAP=${SOAK_SIM_HEAP:-1g}
CPUS=${SOAK_CPUS:-0-$(( $(nproc) - 1 ))}
RESULTS=${SOAK_RESULTS:-$HERE/RESULTS.md}
JAVA_OPTS=${SOAK_JAVA_OPTS:-}
JAR=${SOAK_JARS:+$SOAK_JARS/govgate-demo.jar}
JAR=${JAR:-$ROOT/ops/demo/target/govgate-demo.jar}
GATEWAY_JAR=${SOAK_JARS:+$SOAK_JARS/govgate.jar}
GATEWAY_JAR=${GATEWAY_JAR:-$ROOT/src/target/govgate.jar}

say() { printf '[soak %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# ---- tools ----
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v jq >/dev/null 2>&1 || missing+=(jq)
command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} with apt-get"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}" >/dev/null
fi
command -v jcmd >/dev/null 2>&1 || die "jcmd (JDK 17) is needed"
if [ -z "${SOAK_JARS:-}" ] && { [ ! -f "$JAR" ] || [ ! -f "$GATEWAY_JAR" ] || [ -n "$(find "$ROOT" -path "$WORK" -prune -o \( -path '*/src/main/*' -o -name pom.xml \) \
    -newer "$JAR" -type f -print -quit)" ]; }; then
  say "building $JAR (mvn -B -q -DskipTests package)"
  (cd "$ROOT" && mvn -B -q -DskipTests package)
fi

# ---- clean slate and cleanup ----
STACK_PID=""; FLIPPER_PID=""; WRK_PID=""
cleanup() {
  set +e
  [ -n "$FLIPPER_PID" ] && kill "$FLIPPER_PID" 2>/dev/null
  [ -n "$WRK_PID" ] && kill "$WRK_PID" 2>/dev/null
  if [ -n "$STACK_PID" ] && kill -0 "$STACK_PID" 2>/dev/null; then
    kill -TERM "$STACK_PID"
    for _ in $(seq 1 60); do kill -0 "$STACK_PID" 2>/dev/null || break; sleep 1; done
    kill -0 "$STACK_PID" 2>/dev/null && kill -KILL "$STACK_PID"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -rf "$WORK"
mkdir -p "$WORK"

# ---- the stack ----
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "starting BenchStack on cpus $CPUS: $CITIZENS citizens, $L3 at L3"
GOVGATE_LOG_ACCESS_LEVEL=OFF taskset -c "$CPUS" java -Xms"$SIM_HEAP" -Xmx"$SIM_HEAP" -cp "$JAR" \
  cn.govgate.demo.bench.BenchStack --out "$WORK" --citizens "$CITIZENS" --l3 "$L3" --codes 0 \
  --gateway-classpath "$GATEWAY_JAR" --gateway-jvm "-Xms$HEAP -Xmx$HEAP -Xlog:gc:file=$WORK/gc.log $JAVA_OPTS" \
  >"$WORK/stack.log" 2>&1 &
STACK_PID=$!
DESC=""
for _ in $(seq 1 1800); do
  DESC=$(grep -m1 '^{"gateway"' "$WORK/stack.log" || true)
  [ -n "$DESC" ] && break
  kill -0 "$STACK_PID" 2>/dev/null || die "BenchStack exited; see $WORK/stack.log: $(tail -3 "$WORK/stack.log")"
  sleep 1
done
[ -n "$DESC" ] || die "BenchStack did not get ready in 30 minutes"
j() { jq -r ".$1" <<<"$DESC"; }
GATEWAY=$(j gateway); OPS=$(j ops); REGION=$(j region); PID=$(j gatewayPid)
GATEWAY_PORT=${GATEWAY##*:}
PG_PID=$(head -1 "$(j postgresDir)/postmaster.pid")
# The departments' simulators, as the operator sees them: each department's active backend, from the admin API.
OPERATOR="Authorization: Bearer $(cat "$WORK/govgate-data/keys/admin-bootstrap.key")"
FAULT_URLS=(); FAULT_DEPTS=()
for city in hz cd; do
  for family in social-security housing-fund traffic utilities; do
    url=$(curl -sf -H "$OPERATOR" "$GATEWAY/admin/v1/departments/$city-$family/backends" \
      | jq -r '[.backends[] | select(.status == "active")][0].baseUrl // empty')
    [ -n "$url" ] || die "no active backend of $city-$family"
    FAULT_URLS+=("$url/__sim/faults"); FAULT_DEPTS+=("$city-$family")
  done
done
say "ready after $(j prepareSeconds) s: gateway $GATEWAY (pid $PID, PostgreSQL $PG_PID), ${#FAULT_URLS[@]} departments"

# run_wrk NAME SECONDS RATE -> BENCH_RESULT JSON (scenario (a) of the benchmark)
run_wrk() {
  local name=$1 seconds=$2 rate=$3
  BENCH_LUA="$LUA" BENCH_THREADS="$THREADS" BENCH_CONNECTIONS="$CONNECTIONS" BENCH_RATE="$rate" \
  BENCH_TOKENS=$(j tokens) BENCH_REGION="$REGION" \
    taskset -c "$CPUS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 10s -s "$LUA/scenario-a.lua" \
    "$GATEWAY" >"$WORK/wrk-$name.txt" 2>&1 || die "wrk failed for $name: $(tail -3 "$WORK/wrk-$name.txt")"
  grep -m1 '^BENCH_RESULT ' "$WORK/wrk-$name.txt" | sed 's/^BENCH_RESULT //'
}

# ---- the maximum, then the rate ----
run_wrk warmup 10 0 >/dev/null
MAX=$(run_wrk max "$PROBE" 0)
MAX_RPS=$(jq -r '.rps | floor' <<<"$MAX")
RATE=${SOAK_RATE:-$(awk -v m="$MAX_RPS" -v f="$FRACTION" 'BEGIN { printf "%d", m * f }')}
say "maximum of scenario (a) now: $MAX_RPS requests/s; holding $RATE requests/s for $DURATION s"

# ---- the fault flipper: one department at a time, one fault at a time, healed in between ----
FAULTS=('{"latencyMs":400}' '{"errorRate":0.5}' '{"hang":true}' '{"abortConnection":true}' '{"malformedBody":true}'
  '{"schemaBreakingBody":true}' '{"underMaintenance":true}' '{"latencyMs":4000}')
flipper() {
  local n=0
  while true; do
    # the fault shifts by one every round over the departments, so each department meets every fault in turn
    local d=$(( n % ${#FAULT_URLS[@]} )) f=$(( (n + n / ${#FAULT_URLS[@]}) % ${#FAULTS[@]} ))
    curl -s -o /dev/null -H 'Content-Type: application/json' -d "${FAULTS[$f]}" "${FAULT_URLS[$d]}" || true
    printf '%s %s %s\n' "$(date +%s)" "${FAULT_DEPTS[$d]}" "${FAULTS[$f]}" >>"$WORK/faults.log"
    sleep "$FLIP"
    curl -s -o /dev/null -H 'Content-Type: application/json' -d '{}' "${FAULT_URLS[$d]}" || true
    printf '%s %s healed\n' "$(date +%s)" "${FAULT_DEPTS[$d]}" >>"$WORK/faults.log"
    n=$(( n + 1 ))
  done
}
: >"$WORK/faults.log"
flipper &
FLIPPER_PID=$!

# ---- samples ----
hexport=$(printf '%04X' "$GATEWAY_PORT")
established() { # connections to the gateway's port, server side (state 01 = ESTABLISHED)
  awk -v p=":$hexport" '$4 == "01" && substr($2, length($2) - 4) == p' /proc/net/tcp /proc/net/tcp6 2>/dev/null | wc -l
}
fds() { ls /proc/"$PID"/fd 2>/dev/null | wc -l; }
sockets() { find /proc/"$PID"/fd -lname 'socket:*' 2>/dev/null | wc -l; }
backends() { pgrep -P "$PG_PID" 2>/dev/null | wc -l; }
heap_after_gc() { # MiB used right after a full collection
  jcmd "$PID" GC.run >/dev/null 2>&1
  jcmd "$PID" GC.heap_info 2>/dev/null | grep -m1 -o 'used [0-9]*K' | awk '{ printf "%.1f", $2 / 1024 }'
}
metric_sum() { curl -s "$OPS/metrics" | awk -v m="$1" 'index($0, m) == 1 { s += $NF } END { print s + 0 }'; }

SLICES=$(( DURATION / INTERVAL ))
ROWS="$WORK/rows.tsv"; : >"$ROWS"
HEAP0=$(heap_after_gc)
# What report.sh needs, so that a run stopped early can still be reported: bash ops/soak/report.sh
{
  printf '%s=%q\n' SLICES "$SLICES" INTERVAL "$INTERVAL" FLIP "$FLIP" PROBE "$PROBE" FRACTION "$FRACTION" \
    THREADS "$THREADS" CONNECTIONS "$CONNECTIONS" CITIZENS "$CITIZENS" L3 "$L3" HEAP "$HEAP" SIM_HEAP "$SIM_HEAP" \
    CPUS "$CPUS" REGION "$REGION" CORES "$(nproc)" \
    CPU_MODEL "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || echo unknown)" \
    MEMORY "$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)" LOAD_BEFORE "$LOAD_BEFORE" \
    MAX_RPS "$MAX_RPS" MAX_P99_MS "$(jq -r '.p99 / 1000' <<<"$MAX")" RATE "$RATE" HEAP0 "$HEAP0" \
    DEPARTMENTS "${#FAULT_URLS[@]}" SOAK_STARTED "$(date +%s)"
} >"$WORK/params.env"
STALE_BEFORE=$(metric_sum govgate_department_stale_serves_total)
say "heap after full GC before the soak: $HEAP0 MiB; $SLICES slices of $INTERVAL s"
for s in $(seq 1 "$SLICES"); do
  T0=$(date +%s)
  run_wrk "slice-$s" "$INTERVAL" "$RATE" >"$WORK/slice-$s.json" &
  WRK_PID=$!
  sleep $(( INTERVAL / 2 ))
  CONN=$(established); FD=$(fds); SOCK=$(sockets); PGB=$(backends)
  wait "$WRK_PID"; WRK_PID=""
  R=$(cat "$WORK/slice-$s.json")
  HEAP=$(heap_after_gc)
  STALE=$(metric_sum govgate_department_stale_serves_total)
  T1=$(date +%s)
  ACTIVE=$(awk -v a="$T0" -v b="$T1" '$1 >= a && $1 < b && $3 != "healed" { printf "%s%s %s", sep, $2, $3; sep = "; " }' \
    "$WORK/faults.log")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$(jq -r .requests <<<"$R")" \
    "$(jq -r '.rps | floor' <<<"$R")" "$(jq -r .non2xx <<<"$R")" "$(jq -r .socketErrors <<<"$R")" \
    "$(jq -r .p99 <<<"$R")" "$(( ${STALE%.*} - ${STALE_BEFORE%.*} ))" "$HEAP" "$FD" "$SOCK" "$CONN" "$PGB" \
    "$(cut -d' ' -f1 /proc/loadavg) — ${ACTIVE:-none}" >>"$ROWS"
  STALE_BEFORE=$STALE
  say "slice $s/$SLICES: $(jq -c . <<<"$R"), heap $HEAP MiB, fds $FD, sockets $SOCK, conns $CONN, pg $PGB"
done
kill "$FLIPPER_PID" 2>/dev/null || true; FLIPPER_PID=""
for u in "${FAULT_URLS[@]}"; do curl -s -o /dev/null -H 'Content-Type: application/json' -d '{}' "$u" || true; done

# ---- report ----
bash "$HERE/report.sh" "$WORK" "$RESULTS"
