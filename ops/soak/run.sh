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
# SOAK_FLIP (20 s per fault), SOAK_CONNECTIONS (16), SOAK_THREADS (2), SOAK_CITIZENS (4000), SOAK_L3 (2000),
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
CITIZENS=${SOAK_CITIZENS:-4000}
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
    local d=$(( n % ${#FAULT_URLS[@]} )) f=$(( n % ${#FAULTS[@]} ))
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
FULL_GCS=$(grep -c 'Pause Full' "$WORK/gc.log" || true)

# ---- report ----
SUMMARY=$(awk -F'\t' -v n="$SLICES" -v h0="$HEAP0" '
  { req[NR] = $2; err[NR] = $4 + $5; heap[NR] = $8; fd[NR] = $9; conn[NR] = $11 }
  END {
    half = int(n / 2); for (i = 1; i <= n; i++) { if (i <= half) { r1 += req[i]; e1 += err[i] } else { r2 += req[i]; e2 += err[i] } }
    # least-squares slope of the heap after full GC, MiB per hour (one slice = interval seconds)
    for (i = 1; i <= n; i++) { sx += i; sy += heap[i]; sxx += i * i; sxy += i * heap[i] }
    slope = (n > 1) ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : 0
    minh = heap[1]; maxh = heap[1]; for (i = 1; i <= n; i++) { if (heap[i] < minh) minh = heap[i]; if (heap[i] > maxh) maxh = heap[i] }
    printf "%d %d %d %d %.3f %.1f %.1f %.1f %s %s %s %s\n", r1, e1, r2, e2, slope, minh, maxh, h0, fd[1], fd[n], conn[1], conn[n]
  }' "$ROWS")
read -r R1 E1 R2 E2 SLOPE MINH MAXH H0 FD1 FDN C1 CN <<<"$SUMMARY"
SLOPE_H=$(awk -v s="$SLOPE" -v i="$INTERVAL" 'BEGIN { printf "%.1f", s * 3600 / i }')
PCT() { awk -v e="$1" -v r="$2" 'BEGIN { if (r > 0) printf "%.3f", e * 100 / r; else print "n/a" }'; }
CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
{
  echo "# govgate soak results"
  echo
  echo "Produced by \`bash ops/soak/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Do not edit by hand; run it again."
  echo
  echo "## Machine and setup"
  echo
  echo "- $(nproc) cores (${CPU_MODEL:-unknown}), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); every process pinned with \`taskset -c $CPUS\`"
  echo "- load average (1/5/15 min) at the start: $LOAD_BEFORE; at the end: $(cut -d' ' -f1-3 /proc/loadavg) — the cores were shared with other builds and tests (per-slice 1-min load below)"
  echo "- stack: BenchStack (demo jar: embedded PostgreSQL and the simulators in one JVM, heap $SIM_HEAP) and the gateway (\`src/target/govgate.jar\`, its own process, heap $HEAP); $CITIZENS citizens, $L3 at L3; access log off"
  echo "- load: the benchmark's scenario (a) (\`GET /v1/social-security/account?region=$REGION\`, a different L3 citizen per request), wrk $THREADS threads, $CONNECTIONS connections"
  echo "- maximum measured right before the soak (unpaced, ${PROBE} s): **$MAX_RPS requests/s** (p99 $(jq -r '.p99 / 1000' <<<"$MAX") ms); held: **$RATE requests/s** ($FRACTION of it) for **$DURATION s** in $SLICES slices of $INTERVAL s"
  echo "- faults: every $FLIP s one department simulator (round robin over all ${#FAULT_URLS[@]}, including the loaded hz-social-security) gets the next of: latency 400 ms, 50 % errors, hang, aborted connections, malformed body, schema-breaking body, maintenance, latency 4 s — then healed; log in \`ops/soak/work/faults.log\`"
  echo "- heap after full GC: \`jcmd GC.run\` then \`jcmd GC.heap_info\` of the gateway process after each slice (its own full GCs during the run: $FULL_GCS); the gateway's fds and sockets from \`/proc/<pid>/fd\`, connections from \`/proc/net/tcp*\` (established, gateway port, sampled mid-slice), PostgreSQL processes = children of the postmaster (backends and its own workers)"
  echo
  echo "## Summary"
  echo
  echo "- error rate (non-2xx + socket errors): first half **$(PCT "$E1" "$R1") %** ($E1 of $R1), second half **$(PCT "$E2" "$R2") %** ($E2 of $R2)"
  echo "- gateway heap after full GC: $H0 MiB before the load; during the soak $MINH–$MAXH MiB, trend **$SLOPE_H MiB/hour** (least squares over the slices)"
  echo "- gateway file descriptors: $FD1 in the first slice, $FDN in the last; established connections to the gateway: $C1 → $CN"
  echo
  echo "## Per slice"
  echo
  echo "| slice | requests | req/s | non-2xx | socket errors | p99 ms | stale serves | gateway heap after full GC MiB | gateway fds | gateway sockets | gateway conns | PostgreSQL processes | load 1m — faults switched on in the slice |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %.1f | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 / 1000, $7, $8, $9, $10, $11, $12, $13 }' "$ROWS"
  echo
  echo "Errors here include the answers a broken department legitimately causes (503 \`department.unavailable\` once"
  echo "its breaker is open and no good copy is cached); the target is no growth over time and a flat heap."
} >"$RESULTS"
say "written $RESULTS"
