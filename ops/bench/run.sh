#!/usr/bin/env bash
# The govgate benchmark, one command: bash ops/bench/run.sh   (see ops/bench/README.md)
#
# Installs wrk, nginx-light and jq (Debian packages) when missing, builds the jars when missing or stale, starts
# BenchStack (embedded PostgreSQL, channel and department simulators in one JVM; the gateway, src/target/govgate.jar,
# as a process of its own; L3 tokens and auth codes prepared through the real APIs), nginx as a plain reverse proxy
# in front of the social-security department simulator, and drives the scenarios with wrk in rounds
# (a, b, c, d, a at a fixed rate, c at a fixed rate; three rounds). Around every measured run it reads the CPU time
# of each process from /proc: gateway JVM, its PostgreSQL (postmaster and every backend), nginx (master and
# workers), the simulators' JVM and wrk. Prints the medians, the spread and the CPU per request, and writes
# ops/bench/RESULTS.md. Everything it started is stopped on exit.
#
# Knobs (environment): BENCH_CPUS (all cores), BENCH_ROUNDS (3), BENCH_CONNECTIONS (32), BENCH_THREADS (2),
# BENCH_DURATION (15 s), BENCH_D_DURATION (10 s), BENCH_WARMUP (5 s), BENCH_CITIZENS (22000), BENCH_L3 (10000),
# BENCH_CODES (240000), BENCH_PREP_CONCURRENCY (16), BENCH_FIXED_RATE (half of round 1's (a)), BENCH_IDLE (10000
# idle connections for (f); 0 skips), BENCH_F_HEAP (717m: (f)'s gateway, sized as deployed), BENCH_NGINX_PORT
# (20381), BENCH_HEAP (2g, the measured gateway's), BENCH_SIM_HEAP
# (2g), BENCH_RESULTS (ops/bench/RESULTS.md), BENCH_JAVA_OPTS (extra gateway JVM options, e.g.
# -XX:StartFlightRecording=filename=/tmp/bench.jfr,settings=profile), BENCH_SCENARIOS (the scenarios of each round,
# "a e b c d fixed"; e.g. "a b" for a short (a)/(b) comparison — in another crypto profile with
# GOVGATE_CRYPTO_PROFILE=shangmi, which the gateway process inherits; a target whose scenarios did not run is reported
# as not measured).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK="$HERE/work"
CPUS=${BENCH_CPUS:-0-$(( $(nproc) - 1 ))}
ROUNDS=${BENCH_ROUNDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
DURATION=${BENCH_DURATION:-15}
D_DURATION=${BENCH_D_DURATION:-10}
WARMUP=${BENCH_WARMUP:-5}
CITIZENS=${BENCH_CITIZENS:-22000}
L3=${BENCH_L3:-10000}
CODES=${BENCH_CODES:-240000}
PREP=${BENCH_PREP_CONCURRENCY:-16}
FIXED_RATE=${BENCH_FIXED_RATE:-}
IDLE=${BENCH_IDLE:-10000}
G_CITIZENS=${BENCH_G_CITIZENS:-10000000}
NGINX_PORT=${BENCH_NGINX_PORT:-20381}
HEAP=${BENCH_HEAP:-2g}
F_HEAP=${BENCH_F_HEAP:-717m}
SIM_HEAP=${BENCH_SIM_HEAP:-2g}
JAVA_OPTS=${BENCH_JAVA_OPTS:-}
RESULTS=${BENCH_RESULTS:-$HERE/RESULTS.md}
SCENARIOS=" ${BENCH_SCENARIOS:-a e b c d fixed} "
runs() { [[ "$SCENARIOS" == *" $1 "* ]]; }
DEMO_JAR="$ROOT/ops/demo/target/govgate-demo.jar"
GATEWAY_JAR="$ROOT/src/target/govgate.jar"
HZ=$(getconf CLK_TCK)

say() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# ---- tools ----
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)
command -v jq >/dev/null 2>&1 || missing+=(jq)
command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
command -v pgrep >/dev/null 2>&1 || missing+=(procps)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} with apt-get"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v java >/dev/null 2>&1 || die "java (17) is needed"
# (f) holds BENCH_IDLE connections open: the gateway (a child of BenchStack) and wrk need the descriptors.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true

# ---- jars: built when missing or older than a source file or pom ----
stale() { [ ! -f "$1" ] || [ -n "$(find "$ROOT" -path "$WORK" -prune -o \( -path '*/src/main/*' -o -name pom.xml \) \
    -newer "$1" -type f -print -quit)" ]; }
if stale "$DEMO_JAR" || stale "$GATEWAY_JAR"; then
  say "building the jars (mvn -B -q -DskipTests package)"
  (cd "$ROOT" && mvn -B -q -DskipTests package)
fi

# ---- clean slate and cleanup ----
STACK_PID=""; NGINX_STARTED=""
cleanup() {
  set +e
  if [ -s "$WORK/f.pid" ]; then kill -TERM "$(cat "$WORK/f.pid")" 2>/dev/null; fi
  if [ -n "$NGINX_STARTED" ]; then "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -s stop 2>/dev/null; fi
  if [ -n "$STACK_PID" ] && kill -0 "$STACK_PID" 2>/dev/null; then
    kill -TERM "$STACK_PID"
    for _ in $(seq 1 90); do kill -0 "$STACK_PID" 2>/dev/null || break; sleep 1; done
    kill -0 "$STACK_PID" 2>/dev/null && kill -KILL "$STACK_PID"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -rf "$WORK"
mkdir -p "$WORK/nginx/logs"
RUNS="$WORK/runs.jsonl"
: >"$RUNS"

# ---- the stack ----
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "starting BenchStack on cpus $CPUS: $CITIZENS citizens, $L3 to step up to L3 ($PREP at a time), $CODES auth codes"
GOVGATE_LOG_ACCESS_LEVEL=OFF taskset -c "$CPUS" java -Xms"$SIM_HEAP" -Xmx"$SIM_HEAP" -cp "$DEMO_JAR" \
  cn.govgate.demo.bench.BenchStack --out "$WORK" --citizens "$CITIZENS" --l3 "$L3" --codes "$CODES" \
  --concurrency "$PREP" --gateway-classpath "$GATEWAY_JAR" --gateway-jvm "-Xms$HEAP -Xmx$HEAP $JAVA_OPTS" \
  >"$WORK/stack.log" 2>&1 &
STACK_PID=$!
DESC=""
for _ in $(seq 1 1800); do
  DESC=$(grep -m1 '^{"gateway"' "$WORK/stack.log" || true)
  [ -n "$DESC" ] && break
  if ! kill -0 "$STACK_PID" 2>/dev/null; then
    die "BenchStack stopped before the runs: $(grep -m1 'preparation failed' "$WORK/stack.log" || tail -3 "$WORK/stack.log") (log: $WORK/stack.log, gateway log: $WORK/gateway.log)"
  fi
  sleep 1
done
[ -n "$DESC" ] || die "BenchStack did not get ready in 30 minutes"
j() { jq -r ".$1" <<<"$DESC"; }
GATEWAY=$(j gateway); OPS=$(j ops); DEPARTMENT=$(j department); DEPT_PATH=$(j departmentPath); CONTROL=$(j control)
REGION=$(j region); APP_ID=$(j appId); SIM_PID=$(j pid); GW_PID=$(j gatewayPid)
PG_PID=$(head -1 "$(j postgresDir)/postmaster.pid")
say "ready after $(j prepareSeconds) s: gateway $GATEWAY (pid $GW_PID), department $DEPARTMENT, postgres pid $PG_PID"

# ---- nginx, a plain reverse proxy to the same department simulator ----
DEPT_HOSTPORT=${DEPARTMENT#http://}
USER_LINE=""; [ "$(id -u)" -eq 0 ] && USER_LINE="user root;"
cat >"$WORK/nginx/nginx.conf" <<NGINX
$USER_LINE
worker_processes $(taskset -c "$CPUS" nproc);
daemon on;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  upstream department { server $DEPT_HOSTPORT; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://department;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
NGINX
taskset -c "$CPUS" "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" || die "nginx did not start (port $NGINX_PORT busy? set BENCH_NGINX_PORT)"
NGINX_STARTED=1
for _ in $(seq 1 50); do [ -s "$WORK/nginx/nginx.pid" ] && break; sleep 0.1; done
NGINX_PID=$(cat "$WORK/nginx/nginx.pid")

# ---- CPU from /proc ----
# ticks PID: user + system clock ticks of the process and of its children it has reaped (fields 14-17 of stat).
ticks() {
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  s=${s##*) }
  # shellcheck disable=SC2086
  set -- $s
  echo $(( ${12} + ${13} + ${14} + ${15} ))
}
# tree_ticks PID: the process and its live children (PostgreSQL backends, nginx workers).
tree_ticks() {
  local total child
  total=$(ticks "$1")
  for child in $(pgrep -P "$1" || true); do total=$(( total + $(ticks "$child") )); done
  echo "$total"
}
snapshot() { echo "$(ticks "$GW_PID") $(tree_ticks "$PG_PID") $(tree_ticks "$NGINX_PID") $(ticks "$SIM_PID")"; }
# seconds_of "1m2.345s" -> 62.345
seconds_of() { awk -v t="$1" 'BEGIN { split(t, a, "m"); sub("s", "", a[2]); printf "%.3f", a[1] * 60 + a[2] }'; }

# ---- wrk ----
# run_wrk NAME URL SCRIPT SECONDS RATE FROM TO OFFSET: wrk's BENCH_RESULT JSON with "wrkSeconds" (its own CPU) added
run_wrk() {
  local name=$1 url=$2 script=$3 seconds=$4 rate=${5:-0} from=${6:-1} to=${7:-0} offset=${8:-0}
  local out="$WORK/wrk-$name.txt"
  (
    BENCH_LUA="$HERE/lua" BENCH_THREADS="$THREADS" BENCH_CONNECTIONS="$CONNECTIONS" BENCH_RATE="$rate" \
    BENCH_FROM="$from" BENCH_TO="$to" BENCH_OFFSET="$offset" BENCH_TOKENS=$(j tokens) BENCH_SIGNED=$(j signedRequests) \
    BENCH_PARTNER=$(j partnerRequests) BENCH_CODES=$(j authCodes) BENCH_APP_ID="$APP_ID" BENCH_REGION="$REGION" \
      taskset -c "$CPUS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 10s -s "$HERE/lua/$script" "$url" \
      >"$out" 2>&1
    rc=$?
    times >"$out.times"
    exit $rc
  ) || die "wrk failed for $name: $(tail -3 "$out")"
  local cpu; cpu=$(sed -n 2p "$out.times")
  local wrk_s; wrk_s=$(awk -v u="$(seconds_of "${cpu%% *}")" -v s="$(seconds_of "${cpu##* }")" 'BEGIN { print u + s }')
  local result; result=$(grep -m1 '^BENCH_RESULT ' "$out" | sed 's/^BENCH_RESULT //')
  [ -n "$result" ] || die "wrk printed no result for $name: $(tail -3 "$out")"
  local early=false; grep -q 'used up' "$out" && early=true
  jq -c --argjson w "$wrk_s" --argjson early "$early" '. + {wrkSeconds: $w, ranOut: $early}' <<<"$result"
}
presign() { curl -sf -X POST "$CONTROL/presign" >/dev/null || die "presign failed"; }
# (e): signs as many single-use partner requests as the next run can send (1.5 x the last (e) rate, or (a)'s before the
# first (e); 20,000 at least).
presign_partner() {
  # (e)'s own last rate when there is one: (a)'s is several times higher, and each request costs BenchStack an RSA
  # signature to prepare.
  local rps; rps=$(jq -s -r '([.[] | select(.scenario == "e")] | if length > 0 then .[-1].rps else null end)
    // ([.[] | select(.scenario == "a")] | if length > 0 then .[-1].rps else 0 end)' "$RUNS" 2>/dev/null || echo 0)
  local n; n=$(awk -v r="$rps" -v d="${1:-$DURATION}" 'BEGIN { n = int(r * d * 1.5); print (n < 20000 ? 20000 : n) }')
  curl -sf -X POST "$CONTROL/presign-partner?count=$n" >/dev/null || die "presign-partner failed"
}

# timer_sum FILE METRIC FILTER SUFFIX: sum of a Prometheus timer's _sum or _count lines matching FILTER
timer_sum() { awk -v m="$2$4" -v f="$3" 'index($0, m) == 1 && index($0, f) { s += $NF } END { printf "%.6f", s + 0 }' "$1"; }
# mean_ms NAME METRIC FILTER: mean of a timer over the measured run NAME, in ms (null if absent)
mean_ms() {
  local b="$WORK/metrics-$1-before.txt" a="$WORK/metrics-$1-after.txt"
  [ -s "$b" ] && [ -s "$a" ] || { echo null; return; }
  awk -v s1="$(timer_sum "$b" "$2" "$3" _sum)" -v s2="$(timer_sum "$a" "$2" "$3" _sum)" \
    -v c1="$(timer_sum "$b" "$2" "$3" _count)" -v c2="$(timer_sum "$a" "$2" "$3" _count)" \
    'BEGIN { if (c2 > c1) printf "%.3f", (s2 - s1) / (c2 - c1) * 1000; else print "null" }'
}

# measure SCENARIO ROUND URL SCRIPT SECONDS [RATE] [FROM TO]: one measured run with CPU read around it, appended to
# runs.jsonl as {scenario, round, rps, p50, p90, p99, ..., cpu: {process: microseconds per request}}
measure() {
  local scenario=$1 round=$2 url=$3 script=$4 seconds=$5 rate=${6:-0} from=${7:-1} to=${8:-0}
  local name="$scenario-$round"
  if [ "$script" = scenario-department.lua ]; then presign; fi
  if [ "$script" = scenario-e.lua ]; then presign_partner "$seconds"; fi
  curl -sf "$OPS/metrics" >"$WORK/metrics-$name-before.txt" || true
  local before after result
  before=$(snapshot)
  result=$(run_wrk "$name" "$url" "$script" "$seconds" "$rate" "$from" "$to" $(( RANDOM * 7 )))
  after=$(snapshot)
  curl -sf "$OPS/metrics" >"$WORK/metrics-$name-after.txt" || true
  local server dept
  server=$(mean_ms "$name" govgate_http_server_requests_seconds 'route="/v1/social-security/account"')
  dept=$(mean_ms "$name" govgate_department_calls_seconds 'service="social-security_account"')
  jq -c --arg s "$scenario" --argjson r "$round" --arg b "$before" --arg a "$after" --argjson hz "$HZ" \
    --argjson server "$server" --argjson dept "$dept" '
    def us(i): (((($a | split(" "))[i] | tonumber) - (($b | split(" "))[i] | tonumber)) / $hz * 1e6 / ([.requests, 1] | max));
    . + {scenario: $s, round: $r, serverMs: $server, departmentMs: $dept,
         cpu: {gateway: us(0), postgres: us(1), nginx: us(2), simulators: us(3),
               wrk: (.wrkSeconds * 1e6 / ([.requests, 1] | max))}}' <<<"$result" | tee -a "$RUNS" >/dev/null
  say "  $name: $(jq -r '.rps | floor' <<<"$result") req/s, p50 $(jq -r '.p50' <<<"$result") us"
}
warm() { # SCENARIO URL SCRIPT [RATE] [FROM TO]
  if [ "$3" = scenario-department.lua ]; then presign; fi
  if [ "$3" = scenario-e.lua ]; then presign_partner "$WARMUP"; fi
  run_wrk "warmup-$1" "$2" "$3" "$WARMUP" "${4:-0}" "${5:-1}" "${6:-0}" $(( RANDOM * 7 )) >/dev/null
}

# Scenario (a) needs the social-security endpoint; check one request first so that a missing route is reported
# as such rather than measured as fast 404s.
TOKEN=$(grep -m1 -o '"[^"]*"' "$(j tokens)" | tr -d '"')
A_STATUS=$(curl -s -o "$WORK/a-probe.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
  "$GATEWAY/v1/social-security/account?region=$REGION")
[ "$A_STATUS" = 200 ] || die "GET /v1/social-security/account answered $A_STATUS: (a) cannot be measured"

# Scenario (e) likewise: one signed partner request under a consent.
if runs e; then
presign_partner 1
# partner-requests.lua: "path = {", the paths one per line, "}, auth = {", the headers one per line (LuaFiles).
E_PATH=$(awk '/^path = \{/ { getline; print; exit }' "$(j partnerRequests)" | sed 's/^"\(.*\)",$/\1/')
E_AUTH=$(awk '/^auth = \{/ { getline; print; exit }' "$(j partnerRequests)" | sed 's/^"\(.*\)",$/\1/; s/\\"/"/g')
E_STATUS=$(curl -s -o "$WORK/e-probe.json" -w '%{http_code}' -H "Authorization: $E_AUTH" "$GATEWAY$E_PATH")
[ "$E_STATUS" = 200 ] || die "GET /open/v1/social-security/account answered $E_STATUS: (e) cannot be measured"
fi

# Warm-up: every token once (fills the citizen cache and the last-known-good cache for the whole working set), then
# each other scenario once.
say "warm-up: (a) over all $L3 tokens, then (b), (c), (d)"
sent=0
while [ "$sent" -lt "$L3" ]; do
  r=$(run_wrk warmup-a "$GATEWAY" scenario-a.lua "$WARMUP" 0 1 0 "$sent")
  sent=$(( sent + $(jq -r .requests <<<"$r") ))
done
runs b && warm b "http://127.0.0.1:$NGINX_PORT" scenario-department.lua
runs c && warm c "$DEPARTMENT" scenario-department.lua
# (d) spends single-use codes: a tenth for the warm-up, then one block per round; none is sent twice.
D_WARM=$(( CODES / 10 )); D_BLOCKS=$ROUNDS; [ "$G_CITIZENS" -gt 0 ] && D_BLOCKS=$(( ROUNDS + 1 ))
D_BLOCK=$(( (CODES - D_WARM) / D_BLOCKS ))
runs d && warm d "$GATEWAY" scenario-d.lua 0 1 "$D_WARM"
runs e && warm e "$GATEWAY" scenario-e.lua

for round in $(seq 1 "$ROUNDS"); do
  say "round $round of $ROUNDS"
  runs a && measure a "$round" "$GATEWAY" scenario-a.lua "$DURATION"
  runs e && measure e "$round" "$GATEWAY" scenario-e.lua "$DURATION"
  runs b && measure b "$round" "http://127.0.0.1:$NGINX_PORT" scenario-department.lua "$DURATION"
  runs c && measure c "$round" "$DEPARTMENT" scenario-department.lua "$DURATION"
  runs d && measure d "$round" "$GATEWAY" scenario-d.lua "$D_DURATION" 0 $(( D_WARM + (round - 1) * D_BLOCK + 1 )) \
    $(( D_WARM + round * D_BLOCK ))
  runs fixed || continue
  if [ -z "$FIXED_RATE" ]; then
    FIXED_RATE=$(jq -s -r '[.[] | select(.scenario == "a")][0].rps / 2 | floor' "$RUNS")
    say "fixed rate for (a) and (c): $FIXED_RATE requests/s (half of round 1's (a))"
  fi
  measure a-fixed "$round" "$GATEWAY" scenario-a.lua "$DURATION" "$FIXED_RATE"
  measure c-fixed "$round" "$DEPARTMENT" scenario-department.lua "$DURATION" "$FIXED_RATE"
done

# ---- (f) idle keep-alive connections: the resident memory of a gateway sized as deployed ----
# The measured gateway above runs with BENCH_HEAP (2g) and has served every scenario, so its RSS says how big a heap
# the benchmark gave it, not what a deployed instance needs. (f) therefore starts a second gateway process from the
# same jar and configuration (another port; same database, keys and simulators) with the heap of
# ops/kubernetes/deployment.yaml: 70 % of the 1 GiB container limit as both initial and maximum heap
# (-XX:InitialRAMPercentage=70 -XX:MaxRAMPercentage=70) = BENCH_F_HEAP (717m), ActiveProcessorCount=2. It serves
# (a) over every token and BENCH_WARMUP seconds more, so its heap and pools have been used; then its RSS is read
# (before), BENCH_IDLE idle keep-alive connections are opened (lua/idle.lua), counted on the gateway side in
# /proc/net/tcp and /proc/net/tcp6 (the JVM listens dual-stack) until all are open, and its RSS is read again
# (after). Reported: both, and (after - before) / connections.
IDLE_LINE="- (f) not measured (BENCH_IDLE=0)"
f_scenario() {
  F_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  install -m 600 /dev/null "$WORK/gateway-f.properties"
  sed "s/^http\.port=.*/http.port=$F_PORT/" "$WORK/gateway.properties" >"$WORK/gateway-f.properties"
  F_URL="http://127.0.0.1:$F_PORT"
  say "(f): a gateway with the deployed heap ($F_HEAP) on $F_URL"
  taskset -c "$CPUS" java -Xms"$F_HEAP" -Xmx"$F_HEAP" -XX:ActiveProcessorCount=2 -XX:+UseG1GC -cp "$GATEWAY_JAR" \
    cn.govgate.app.Main --config "$WORK/gateway-f.properties" >"$WORK/gateway-f.log" 2>&1 &
  F_PID=$!
  echo "$F_PID" >"$WORK/f.pid"
  for _ in $(seq 1 120); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$F_URL/health/ready")" = 200 ] && break
    kill -0 "$F_PID" 2>/dev/null || break
    sleep 1
  done
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$F_URL/health/ready")" != 200 ]; then
    IDLE_LINE="- (f) FAILED: the gateway with the deployed heap did not get ready ($(tail -1 "$WORK/gateway-f.log"))"
  else
    sent=0
    while [ "$sent" -lt "$L3" ]; do
      r=$(run_wrk warmup-f "$F_URL" scenario-a.lua "$WARMUP" 0 1 0 "$sent")
      sent=$(( sent + $(jq -r .requests <<<"$r") ))
    done
    run_wrk warmup-f "$F_URL" scenario-a.lua "$WARMUP" >/dev/null
    sleep 2
    RSS_BEFORE=$(awk '/VmRSS/ { print $2 }' "/proc/$F_PID/status")
    BENCH_LUA="$HERE/lua" taskset -c "$CPUS" wrk -t"$THREADS" -c"$IDLE" -d20s --timeout 30s -s "$HERE/lua/idle.lua" \
      "$F_URL" >"$WORK/wrk-idle.txt" 2>&1 &
    IDLE_WRK=$!
    open_count() { cat /proc/net/tcp /proc/net/tcp6 | awk -v p="$(printf '%04X' "$F_PORT")" \
      '{ k = split($2, l, ":") } l[k] == p && $4 == "01" { n++ } END { print n + 0 }'; }
    OPEN=0
    for _ in $(seq 1 16); do sleep 1; OPEN=$(open_count); [ "$OPEN" -ge "$IDLE" ] && break; done
    sleep 2
    OPEN=$(open_count)
    RSS_IDLE=$(awk '/VmRSS/ { print $2 }' "/proc/$F_PID/status")
    wait "$IDLE_WRK" || true
    PER_CONN=$(awk -v a="$RSS_IDLE" -v b="$RSS_BEFORE" -v n="$OPEN" 'BEGIN { if (n > 0) printf "%.1f", (a - b) / n; else print "?" }')
    IDLE_LINE="- (f) a gateway with the deployed heap (-Xms/-Xmx$F_HEAP, as ops/kubernetes/deployment.yaml: 70 % of 1 GiB), after serving (a): RSS **$(( RSS_BEFORE / 1024 )) MiB** before and **$(( RSS_IDLE / 1024 )) MiB** with $OPEN idle keep-alive connections open, **$PER_CONN KiB per connection** — target <= 512 MB: $([ $(( RSS_IDLE / 1024 )) -le 512 ] && echo met || echo NOT met)"
  fi
  kill -TERM "$F_PID" 2>/dev/null; wait "$F_PID" 2>/dev/null || true
  rm -f "$WORK/f.pid"
  echo "$IDLE_LINE" >"$WORK/f-line.txt"
}
if [ "$IDLE" -gt 0 ]; then
  ( die() { say "ERROR: $*"; echo "- (f) FAILED: $*" >"$WORK/f-line.txt"; exit 1; }; f_scenario ) || true
  # The subshell's gateway, if it is still running after a failure.
  if [ -s "$WORK/f.pid" ]; then kill -TERM "$(cat "$WORK/f.pid")" 2>/dev/null || true; fi
  IDLE_LINE=$(cat "$WORK/f-line.txt" 2>/dev/null || echo "- (f) FAILED: see the log")
  say "$IDLE_LINE"
fi

# ---- (g) many bound citizens seeded with SQL; (d) and (a) again against them; the binding lookup's p99 ----
G_LINE="- (g) not measured (BENCH_G_CITIZENS=0)"
# A failing (g) is reported as such; it does not throw away the rounds measured before it.
g_scenario() {
  PGBIN=$(dirname "$(command -v psql 2>/dev/null || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | tail -1)")
  [ -x "$PGBIN/psql" ] && [ -x "$PGBIN/pgbench" ] || die "(g) needs psql and pgbench (apt-get install postgresql-client)"
  export PGHOST=127.0.0.1 PGUSER=postgres PGDATABASE=postgres
  PGPORT=$(sed -n 's/^db\.port=//p' "$WORK/gateway.properties"); export PGPORT
  [ -n "$PGPORT" ] || die "(g): no db.port in $WORK/gateway.properties"
  say "(g): seeding $G_CITIZENS bound citizens with SQL"
  t0=$(date +%s)
  taskset -c "$CPUS" "$PGBIN/psql" -q -v n="$G_CITIZENS" -v app="$APP_ID" -f "$HERE/seed-citizens.sql" \
    >"$WORK/seed.log" 2>&1 || die "(g) seeding failed: $(tail -3 "$WORK/seed.log")"
  SEED_S=$(( $(date +%s) - t0 ))
  BOUND=$("$PGBIN/psql" -tAc "SELECT count(*) FROM channel_identities WHERE citizen_key IS NOT NULL")
  DB_SIZE=$("$PGBIN/psql" -tAc "SELECT pg_size_pretty(pg_database_size(current_database()))")
  say "(g): seeded in $SEED_S s; $BOUND bound channel identities; database $DB_SIZE"
  G_ROUND=$(( ROUNDS + 1 ))
  measure g-d "$G_ROUND" "$GATEWAY" scenario-d.lua "$D_DURATION" 0 $(( D_WARM + ROUNDS * D_BLOCK + 1 )) \
    $(( D_WARM + (ROUNDS + 1) * D_BLOCK ))
  measure g-a "$G_ROUND" "$GATEWAY" scenario-a.lua "$DURATION"
  # The binding lookup alone: the login's statement for random seeded identities, 2 clients, prepared, 15 s.
  rm -f "$WORK"/lookup.*
  (cd "$WORK" && taskset -c "$CPUS" "$PGBIN/pgbench" -n -M prepared -c 2 -j 1 -T 15 -D n="$G_CITIZENS" \
    -D app="'$APP_ID'" -l --log-prefix="$WORK/lookup" -f "$HERE/lookup.sql" >"$WORK/pgbench.txt" 2>&1) \
    || die "(g) pgbench failed: $(tail -3 "$WORK/pgbench.txt")"
  LOOKUP=$(cat "$WORK"/lookup.* | awk '{ print $3 }' | sort -n | awk '{ a[NR] = $1 } END {
    i = int(NR * 0.5); j = int(NR * 0.99); if (i < 1) i = 1; if (j < 1) j = 1
    printf "%d %.2f %.2f", NR, a[i] / 1000, a[j] / 1000 }')
  read -r L_N L_P50 L_P99 <<<"$LOOKUP"
  # (set -e does not reach inside this subshell: it runs on the left of ||, so each step checks for itself.)
  [ -n "${L_P99:-}" ] || die "(g): no lookup latencies in $WORK/lookup.* (pgbench's log)"
  G_LINE=$(jq -s -r --arg n "$BOUND" --arg s "$SEED_S" --arg size "$DB_SIZE" --arg ln "$L_N" --arg l50 "$L_P50" \
    --arg l99 "$L_P99" --argjson full "$([ "$G_CITIZENS" -ge 10000000 ] && echo true || echo false)" '
    def r2: . * 100 | round / 100;
    (map(select(.scenario == "g-d")) | .[0]) as $d | (map(select(.scenario == "g-a")) | .[0]) as $a
    | "- (g) \($n) bound channel identities (seeded with SQL in \($s) s; database \($size))\(if $full then "" else " — a reduced size, BENCH_G_CITIZENS; the target is for 10 million" end): login (d) \($d.rps | floor) req/s, p99 \($d.p99 / 1000 | r2) ms, gateway + PostgreSQL \($d.cpu.gateway + $d.cpu.postgres | floor) µs per login; (a) \($a.rps | floor) req/s, p99 \($a.p99 / 1000 | r2) ms; binding lookup (the login statement, pgbench, \($ln) lookups of random seeded identities): p50 \($l50) ms, p99 **\($l99) ms** — target <= 2 ms: \(if ($l99 | tonumber) <= 2 then "met" else "NOT met" end)"' "$RUNS")
  [ -n "$G_LINE" ] || die "(g): the summary could not be computed from $RUNS"
  echo "$G_LINE" >"$WORK/g-line.txt"
}
if [ "$G_CITIZENS" -gt 0 ]; then
  ( die() { say "ERROR: $*"; echo "- (g) FAILED: $*" >"$WORK/g-line.txt"; exit 1; }; g_scenario ) || true
  G_LINE=$(cat "$WORK/g-line.txt" 2>/dev/null || echo "- (g) FAILED: see the log")
  say "$G_LINE"
fi

# ---- report ----
# Per scenario: medians over the rounds and the spread [min-max] of requests/s; CPU per request per process.
TABLE=$(jq -s -r '
  def med: sort | .[(length - 1) / 2 | floor];
  def ms: . / 1000 | . * 100 | round / 100;
  def title: . as $k | {"a": "(a) L3 social-security account through the gateway",
              "b": "(b) department simulator behind nginx",
              "c": "(c) department simulator directly",
              "d": "(d) login: auth-code exchange + binding lookup",
              "e": "(e) the query of (a) by a partner: RSA2 signature + consent",
              "a-fixed": "(a) at the fixed rate", "c-fixed": "(c) at the fixed rate",
              "g-d": "(g) login (d) against the seeded citizens", "g-a": "(g) (a) against the seeded citizens"} | .[$k];
  (group_by(.scenario) | map({key: .[0].scenario, value: .}) | from_entries) as $g
  | ["a", "e", "b", "c", "d", "a-fixed", "c-fixed", "g-d", "g-a"] | map(select($g[.] != null)) | map(. as $s | $g[$s] as $r |
    "| \($s | title) | \($r | map(.rps) | med | floor) | \($r | map(.rps) | min | floor)–\($r | map(.rps) | max | floor) "
    + "| \($r | map(.p50) | med | ms) | \($r | map(.p90) | med | ms) | \($r | map(.p99) | med | ms) "
    + "| \($r | map(.non2xx + .socketErrors) | add)\(if ($r | map(.ranOut) | any) then " (codes ran out)" else "" end) "
    + "| \($r | map(.cpu.gateway) | med | floor) | \($r | map(.cpu.postgres) | med | floor) "
    + "| \($r | map(.cpu.nginx) | med | floor) | \($r | map(.cpu.simulators) | med | floor) "
    + "| \($r | map(.cpu.wrk) | med | floor) |")
  | (["| scenario | req/s (median) | spread | p50 ms | p90 ms | p99 ms | errors | gateway µs/req | PostgreSQL µs/req | nginx µs/req | simulators µs/req | wrk µs/req |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"] + .) | join("\n")' "$RUNS")
# Targets, each from runs of the same round, then the median over the rounds.
SUMMARY=$(jq -s -r '
  def med: sort | .[(length - 1) / 2 | floor];
  def r2: . * 100 | round / 100;
  def round_of($s; $n): map(select(.scenario == $s and .round == $n)) | .[0];
  def met($ok): if $ok then "met" else "NOT met" end;
  def has($s): any(.[]; .scenario == $s);
  def unmeasured($what): "- \($what): not measured (BENCH_SCENARIOS)";
  (map(select(.scenario == "a") | .round) | unique) as $rounds | . as $all
  | (if has("b") then $rounds | map(. as $n | ($all | round_of("a"; $n) | .rps) / ($all | round_of("b"; $n) | .rps)) else [] end) as $ratio
  | (if has("b") then $rounds | map(. as $n | (($all | round_of("a"; $n) | .cpu) | .gateway + .postgres)
      / ($all | round_of("b"; $n) | .cpu.nginx)) else [] end) as $cpuRatio
  | (if has("a-fixed") then $rounds | map(. as $n | (($all | round_of("a-fixed"; $n) | .p50) - ($all | round_of("c-fixed"; $n) | .p50)) / 1000) else [] end) as $add50
  | (if has("a-fixed") then $rounds | map(. as $n | (($all | round_of("a-fixed"; $n) | .p90) - ($all | round_of("c-fixed"; $n) | .p90)) / 1000) else [] end) as $add90
  | (if has("d") then $rounds | map(. as $n | ($all | round_of("d"; $n) | .cpu) | .gateway + .postgres) else [] end) as $login
  | (if has("e") then $rounds | map(. as $n | ($all | round_of("e"; $n) | .rps) / ($all | round_of("a"; $n) | .rps))
      | map(select(. != null)) else [] end) as $eRatio
  | (map(select(.scenario == "a")) | map(.serverMs // empty)) as $srv
  | (map(select(.scenario == "a")) | map(.departmentMs // empty)) as $dep
  | [ if ($ratio | length) > 0 then "- throughput (a)/(b), same round: **\($ratio | med | r2)** (rounds: \($ratio | map(r2) | join(", "))) — target >= 0.8: \(met(($ratio | med) >= 0.8))" else unmeasured("throughput (a)/(b)") end,
      if ($cpuRatio | length) > 0 then "- CPU per request, gateway JVM + its PostgreSQL for (a) ÷ nginx for (b): **\($cpuRatio | med | r2)** (rounds: \($cpuRatio | map(r2) | join(", "))) — target <= 2: \(met(($cpuRatio | med) <= 2))" else unmeasured("CPU ratio (a)/(b)") end,
      if ($add50 | length) > 0 then "- added latency (a) − (c) at the fixed rate: p50 **\($add50 | med | r2) ms**, p90 **\($add90 | med | r2) ms** (rounds p50: \($add50 | map(r2) | join(", ")); p90: \($add90 | map(r2) | join(", "))) — targets <= 0.5 ms / <= 1 ms: \(met(($add50 | med) <= 0.5)) / \(met(($add90 | med) <= 1))" else unmeasured("added latency at the fixed rate") end,
      if ($eRatio | length) > 0 then "- throughput (e)/(a), same round: **\($eRatio | med | r2)** (rounds: \($eRatio | map(r2) | join(", "))) — target >= 0.8: \(met(($eRatio | med) >= 0.8))" else unmeasured("throughput (e)/(a)") end,
      if ($login | length) > 0 then "- (d) login CPU per request, gateway + PostgreSQL: **\($login | med | floor) µs** (rounds: \($login | map(floor) | join(", "))) — target <= 250 µs: \(met(($login | med) <= 250))" else unmeasured("(d) login CPU") end,
      "- (a) at max load, the gateway’s own metrics (medians of the rounds): server time \($srv | if length > 0 then med | r2 else "?" end) ms, of which the department call \($dep | if length > 0 then med | r2 else "?" end) ms"
    ] | join("\n")' "$RUNS")
SUMMARY="$SUMMARY
$IDLE_LINE
$G_LINE"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
MEM=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
JAVA_VERSION=$(java -version 2>&1 | head -1)
# The "Commercial cryptography" section (JMH figures, ops/bench/jmh) is not produced here: keep it across runs.
KEEP_CRYPTO=$(awk '/^## Commercial cryptography/ { keep = 1 } keep' "$RESULTS" 2>/dev/null || true)
{
  echo "# govgate benchmark results"
  echo
  echo "Produced by \`bash ops/bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Do not edit by hand; run it again."
  echo
  echo "## Machine"
  echo
  echo "- nproc: $(nproc); CPU: ${CPU_MODEL:-unknown}; memory: $MEM; kernel: $(uname -r)"
  echo "- java: $JAVA_VERSION (gateway heap $HEAP); wrk: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2); nginx: $("$NGINX" -v 2>&1 | cut -d/ -f2)"
  echo "- load average (1/5/15 min) at the start: $LOAD_BEFORE; at the end: $LOAD_AFTER — other work on the same cores skews absolute figures; ratios are taken within one round"
  echo "- every process pinned with \`taskset -c $CPUS\`: the gateway JVM (its own process), its PostgreSQL, the simulators' JVM, nginx, wrk"
  echo
  echo "## Setup"
  echo
  echo "- $(j citizens) synthetic citizens in the channel and department simulators; $(j l3Citizens) Hangzhou citizens logged in and stepped up to L3 through the real APIs ($PREP at a time; $(j prepareSeconds) s with the code issuing)"
  echo "- $ROUNDS rounds of $(echo "$SCENARIOS" | sed 's/^ *//; s/ *$//; s/ /, /g; s/fixed/a at a fixed rate, c at a fixed rate/'); wrk $THREADS threads, $CONNECTIONS connections, ${DURATION} s per measured run (d: ${D_DURATION} s); before round 1 (a) is warmed up over every token, the others for ${WARMUP} s"
  echo "- (a) \`GET /v1/social-security/account?region=$REGION\`, a different citizen's L3 token on each request; (b)/(c) \`POST $DEPT_PATH\` pre-signed for the same citizens, (b) through nginx (keep-alive upstream, access log off); (d) \`POST /v1/sessions\` with single-use WeChat auth codes; (e) \`GET /open/v1/social-security/account?consentId=&region=$REGION\` signed RSA2 by one partner, round-robin over $(j partnerConsents) consents, every request with its own nonce, signed by \`/presign-partner\` just before the run"
  echo "- fixed rate: ${FIXED_RATE:-none} requests/s (half of round 1's (a)), paced per connection with wrk's \`delay()\`"
  echo "- CPU per request: user + system time of each process from \`/proc/<pid>/stat\` over the measured run (PostgreSQL: postmaster and every backend; nginx: master and workers; wrk: its own), divided by the requests of the run; medians of the rounds"
  echo
  echo "## Results"
  echo
  echo "$TABLE"
  echo
  echo "$SUMMARY"
  echo
  echo "Targets are reported, never asserted. \"errors\" counts non-2xx answers and socket errors; a non-zero value makes that row suspect. Raw runs: \`ops/bench/work/runs.jsonl\`."
  if [ -n "$KEEP_CRYPTO" ]; then echo; echo "$KEEP_CRYPTO"; fi
} >"$RESULTS"
echo
echo "$TABLE"
echo
echo "$SUMMARY"
echo
say "written $RESULTS"
