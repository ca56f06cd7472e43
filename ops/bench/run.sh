#!/usr/bin/env bash
# The govgate benchmark, one command: bash ops/bench/run.sh   (see ops/bench/README.md)
#
# Installs wrk, nginx-light and jq (Debian packages) when missing, builds the jar when missing, starts
# BenchStack (the demo from ops/demo: gateway + embedded PostgreSQL + channel and department simulators, >= 10,000
# citizens, L3 tokens prepared through the real APIs), nginx as a plain reverse proxy in front of the
# social-security department simulator, and drives the scenarios with wrk. Every process - the JVM (and the
# PostgreSQL it starts), nginx and wrk - runs under taskset on the same cores. Prints the table and writes
# ops/bench/RESULTS.md. Everything it started is stopped on exit.
#
# Knobs (environment): BENCH_CPUS (default: all cores, e.g. 0-1), BENCH_CONNECTIONS (32), BENCH_THREADS (2),
# BENCH_DURATION (15 s), BENCH_WARMUP (5 s), BENCH_CITIZENS (22000 seeded), BENCH_L3 (10000 tokens),
# BENCH_CODES (100000 auth codes), BENCH_NGINX_PORT (18080), BENCH_HEAP (2g), BENCH_RESULTS (ops/bench/RESULTS.md),
# BENCH_JAVA_OPTS (extra JVM options, e.g. -XX:StartFlightRecording=filename=/tmp/bench.jfr to profile).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK="$HERE/work"
CPUS=${BENCH_CPUS:-0-$(( $(nproc) - 1 ))}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
DURATION=${BENCH_DURATION:-15}
WARMUP=${BENCH_WARMUP:-5}
CITIZENS=${BENCH_CITIZENS:-22000}
L3=${BENCH_L3:-10000}
CODES=${BENCH_CODES:-100000}
NGINX_PORT=${BENCH_NGINX_PORT:-18080}
HEAP=${BENCH_HEAP:-2g}
JAVA_OPTS=${BENCH_JAVA_OPTS:-}
RESULTS=${BENCH_RESULTS:-$HERE/RESULTS.md}
JAR="$ROOT/ops/demo/target/govgate-demo.jar"

say() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# ---- tools ----
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)
command -v jq >/dev/null 2>&1 || missing+=(jq)
command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} with apt-get"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v java >/dev/null 2>&1 || die "java (17) is needed"

# ---- jar: built when missing or older than a source file or pom ----
if [ ! -f "$JAR" ] || [ -n "$(find "$ROOT" -path "$WORK" -prune -o \( -path '*/src/main/*' -o -name pom.xml \) \
    -newer "$JAR" -type f -print -quit)" ]; then
  say "building $JAR (mvn -B -q -DskipTests package)"
  (cd "$ROOT" && mvn -B -q -DskipTests package)
fi

# ---- clean slate and cleanup ----
STACK_PID=""; NGINX_STARTED=""
cleanup() {
  set +e
  if [ -n "$NGINX_STARTED" ]; then "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -s stop 2>/dev/null; fi
  if [ -n "$STACK_PID" ] && kill -0 "$STACK_PID" 2>/dev/null; then
    kill -TERM "$STACK_PID"
    for _ in $(seq 1 60); do kill -0 "$STACK_PID" 2>/dev/null || break; sleep 1; done
    kill -0 "$STACK_PID" 2>/dev/null && kill -KILL "$STACK_PID"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -rf "$WORK"
mkdir -p "$WORK/nginx/logs"

# ---- the stack ----
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "starting BenchStack on cpus $CPUS: $CITIZENS citizens, $L3 to step up to L3, $CODES auth codes"
GOVGATE_LOG_ACCESS_LEVEL=OFF taskset -c "$CPUS" java -Xms"$HEAP" -Xmx"$HEAP" $JAVA_OPTS -cp "$JAR" cn.govgate.demo.bench.BenchStack \
  --out "$WORK" --citizens "$CITIZENS" --l3 "$L3" --codes "$CODES" >"$WORK/stack.log" 2>&1 &
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
GATEWAY=$(j gateway); OPS=$(j ops); DEPARTMENT=$(j department); DEPT_PATH=$(j departmentPath); CONTROL=$(j control)
REGION=$(j region); APP_ID=$(j appId)
say "ready after $(j prepareSeconds) s: gateway $GATEWAY, department $DEPARTMENT"

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

# ---- wrk ----
# run_wrk NAME URL SCRIPT SECONDS [RATE] [FROM] [TO] -> prints the BENCH_RESULT JSON
run_wrk() {
  local name=$1 url=$2 script=$3 seconds=$4 rate=${5:-0} from=${6:-1} to=${7:-0}
  BENCH_LUA="$HERE/lua" BENCH_THREADS="$THREADS" BENCH_CONNECTIONS="$CONNECTIONS" BENCH_RATE="$rate" \
  BENCH_FROM="$from" BENCH_TO="$to" BENCH_TOKENS=$(j tokens) BENCH_SIGNED=$(j signedRequests) BENCH_CODES=$(j authCodes) \
  BENCH_APP_ID="$APP_ID" BENCH_REGION="$REGION" \
    taskset -c "$CPUS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 10s -s "$HERE/lua/$script" "$url" \
    >"$WORK/wrk-$name.txt" 2>&1 || die "wrk failed for $name: $(tail -3 "$WORK/wrk-$name.txt")"
  grep -m1 '^BENCH_RESULT ' "$WORK/wrk-$name.txt" | sed 's/^BENCH_RESULT //'
}
presign() { curl -sf -X POST "$CONTROL/presign" >/dev/null || die "presign failed"; }
measure() { # NAME URL SCRIPT [RATE]: warm-up, then the measured run
  local name=$1 url=$2 script=$3 rate=${4:-0}
  if [ "$script" = scenario-department.lua ]; then presign; fi
  run_wrk "$name-warmup" "$url" "$script" "$WARMUP" "$rate" >/dev/null
  if [ "$script" = scenario-department.lua ]; then presign; fi
  local paced=""; if [ "$rate" != 0 ]; then paced=", paced to $rate/s"; fi
  say "scenario $name: ${DURATION}s, $CONNECTIONS connections$paced"
  curl -sf "$OPS/metrics" >"$WORK/metrics-$name-before.txt" || true
  run_wrk "$name" "$url" "$script" "$DURATION" "$rate"
  curl -sf "$OPS/metrics" >"$WORK/metrics-$name-after.txt" || true
}

# mean_ms NAME METRIC LABEL_FILTER: mean of a Prometheus timer over the measured run of NAME, in ms ("?" if absent)
mean_ms() {
  local name=$1 metric=$2 filter=$3
  sum_of() { awk -v m="$metric$2" -v f="$filter" 'index($0, m) == 1 && index($0, f) { s += $NF } END { print s + 0 }' "$1"; }
  local b="$WORK/metrics-$name-before.txt" a="$WORK/metrics-$name-after.txt"
  [ -s "$b" ] && [ -s "$a" ] || { echo "?"; return; }
  awk -v s1="$(sum_of "$b" _sum)" -v s2="$(sum_of "$a" _sum)" -v c1="$(sum_of "$b" _count)" -v c2="$(sum_of "$a" _count)" \
    'BEGIN { if (c2 > c1) printf "%.2f", (s2 - s1) / (c2 - c1) * 1000; else print "?" }'
}

C=$(measure c "$DEPARTMENT" scenario-department.lua)
B=$(measure b "http://127.0.0.1:$NGINX_PORT" scenario-department.lua)

# Scenario (a) needs the social-security endpoint; check one request first so that a missing route is reported
# as such rather than measured as fast 404s.
TOKEN=$(grep -m1 -o '"[^"]*"' "$(j tokens)" | tr -d '"')
A_STATUS=$(curl -s -o "$WORK/a-probe.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
  "$GATEWAY/v1/social-security/account?region=$REGION")
A=""; AH=""; CH=""; HALF=""
if [ "$A_STATUS" = 200 ]; then
  A=$(measure a "$GATEWAY" scenario-a.lua)
  HALF=$(jq -r '.rps / 2 | floor' <<<"$A")
  AH=$(measure a-half "$GATEWAY" scenario-a.lua "$HALF")
  CH=$(measure c-half "$DEPARTMENT" scenario-department.lua "$HALF")
else
  say "scenario a skipped: GET /v1/social-security/account answered $A_STATUS (endpoint not in this build)"
fi

# (d) the measured run spends the first 70 % of the codes, the warm-up the rest: no code is sent twice.
SPLIT=$(( CODES * 7 / 10 ))
run_wrk d-warmup "$GATEWAY" scenario-d.lua "$WARMUP" 0 $(( SPLIT + 1 )) "$CODES" >/dev/null
say "scenario d: ${DURATION}s, $CONNECTIONS connections"
D=$(run_wrk d "$GATEWAY" scenario-d.lua "$DURATION" 0 1 "$SPLIT")

# ---- report ----
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
row() { # LABEL JSON
  local label=$1 r=$2
  if [ -z "$r" ]; then printf '| %s | n/a | n/a | n/a | n/a | n/a |\n' "$label"; return; fi
  printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "$(jq -r '.rps | floor' <<<"$r")" \
    "$(ms "$(jq -r .p50 <<<"$r")")" "$(ms "$(jq -r .p99 <<<"$r")")" "$(ms "$(jq -r .p999 <<<"$r")")" \
    "$(jq -r '.non2xx + .socketErrors' <<<"$r")"
}
diffms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (a - b) / 1000 }'; }
TABLE=$(
  echo "| scenario | requests/s | p50 ms | p99 ms | p99.9 ms | errors |"
  echo "|---|---:|---:|---:|---:|---:|"
  row "(a) L3 social-security account through the gateway" "$A"
  row "(b) department simulator behind nginx" "$B"
  row "(c) department simulator directly" "$C"
  row "(d) login: auth-code exchange + binding lookup" "$D"
  [ -n "$AH" ] && row "(a) paced to half of its max rate (target $HALF/s)" "$AH"
  [ -n "$CH" ] && row "(c) paced to the same rate (target $HALF/s)" "$CH"
  true
)
if [ -n "$A" ]; then
  RATIO=$(awk -v a="$(jq -r .rps <<<"$A")" -v b="$(jq -r .rps <<<"$B")" 'BEGIN { printf "%.2f", a / b }')
  ADD50=$(diffms "$(jq -r .p50 <<<"$A")" "$(jq -r .p50 <<<"$C")")
  ADD99=$(diffms "$(jq -r .p99 <<<"$A")" "$(jq -r .p99 <<<"$C")")
  HALF99=$(diffms "$(jq -r .p99 <<<"$AH")" "$(jq -r .p99 <<<"$CH")")
  ROUTE='route="/v1/social-security/account"'; CALL='service="social-security_account"'
  SERVER_MS=$(mean_ms a vertx_http_server_response_time_seconds "$ROUTE")
  DEPT_MS=$(mean_ms a govgate_department_calls_seconds "$CALL")
  SERVER_HALF_MS=$(mean_ms a-half vertx_http_server_response_time_seconds "$ROUTE")
  DEPT_HALF_MS=$(mean_ms a-half govgate_department_calls_seconds "$CALL")
  SUMMARY=$(
    echo "- throughput (a)/(b): **$RATIO** (target >= 0.8: $(awk -v r="$RATIO" 'BEGIN { print (r >= 0.8) ? "met" : "NOT met" }'))"
    echo "- added latency (a)-(c) at max load: p50 **$ADD50 ms**, p99 **$ADD99 ms**"
    echo "- where (a)'s time goes, from the gateway's own metrics (means over the measured runs): server time of \`/v1/social-security/account\` **$SERVER_MS ms** at max load, of which the guarded department call **$DEPT_MS ms**; at half load **$SERVER_HALF_MS ms**, of which the department call **$DEPT_HALF_MS ms** (the rest: session, assurance gate, citizen lookup, interaction and audit records). At max load every process waits for the same cores, so the split there is mostly queueing"
    echo "- added p99 (a)-(c) at half of (a)'s max rate (paced to $HALF requests/s): **$HALF99 ms** (target <= 1 ms: $(awk -v r="$HALF99" 'BEGIN { print (r <= 1) ? "met" : "NOT met" }'))"
  )
else
  SUMMARY="- (a) was not measured: \`GET /v1/social-security/account\` answered $A_STATUS in this build, so the ratio (a)/(b) and the added latency (a)-(c) are not available."
fi
CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
MEM=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
JAVA_VERSION=$(java -version 2>&1 | tr '\n' ' ' | sed 's/ *$//')
{
  echo "# govgate benchmark results"
  echo
  echo "Produced by \`bash ops/bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Do not edit by hand; run it again."
  echo
  echo "## Machine"
  echo
  echo "- nproc: $(nproc); CPU: ${CPU_MODEL:-unknown}"
  echo "- memory: $MEM; kernel: $(uname -r)"
  echo "- java: $JAVA_VERSION (heap $HEAP)"
  echo "- wrk: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2); nginx: $("$NGINX" -v 2>&1 | cut -d/ -f2)"
  echo "- load average (1/5/15 min) when the run started: $LOAD_BEFORE — other work on the same cores skews the figures"
  echo "- every process (gateway JVM with its embedded PostgreSQL and simulators, nginx, wrk) pinned with \`taskset -c $CPUS\`"
  echo
  echo "## Setup"
  echo
  echo "- $(j citizens) synthetic citizens seeded in the channel and department simulators; $(j l3Citizens) Hangzhou citizens logged in and stepped up to L3 through the real APIs before the run (took $(j prepareSeconds) s with the code issuing)"
  echo "- wrk: $THREADS threads, $CONNECTIONS connections, ${WARMUP} s warm-up then ${DURATION} s measured per scenario; latency percentiles from wrk's \`done()\`"
  echo "- (a) \`GET /v1/social-security/account?region=$REGION\`, a different citizen's L3 token on each request (round-robin over $(j l3Citizens))"
  echo "- (b)/(c) \`POST $DEPT_PATH\` pre-signed (HMAC, fresh timestamp right before each run) for the same $(j l3Citizens) citizens; (b) through nginx $("$NGINX" -v 2>&1 | cut -d/ -f2) (keep-alive upstream, access log off)"
  echo "- (d) \`POST /v1/sessions\` with single-use WeChat auth codes issued through the simulator's control API before the run"
  echo "- half load: wrk's \`delay()\` paces each connection to reach half of (a)'s measured rate"
  echo
  echo "## Results"
  echo
  echo "$TABLE"
  echo
  echo "$SUMMARY"
  echo
  echo "Targets (reported, not asserted): (a)/(b) >= 0.8 in throughput; added p99 <= 1 ms at half of the maximum load."
  echo "\"errors\" counts non-2xx answers and socket errors; a non-zero value makes that row suspect."
} >"$RESULTS"
echo
echo "$TABLE"
echo
echo "$SUMMARY"
echo
say "written $RESULTS"
