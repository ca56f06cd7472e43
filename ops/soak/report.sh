#!/usr/bin/env bash
# Writes the soak's RESULTS.md from a run's work directory: bash ops/soak/report.sh [WORK] [RESULTS]
# run.sh calls it at the end; it also reports a run stopped before its last slice (the slices done so far).
# Reads WORK/params.env (written by run.sh before the first slice), WORK/rows.tsv (one line per slice),
# WORK/faults.log and WORK/gc.log.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=${1:-$HERE/work}
RESULTS=${2:-$HERE/RESULTS.md}
# shellcheck disable=SC1091
source "$WORK/params.env"
ROWS="$WORK/rows.tsv"
DONE=$(wc -l <"$ROWS")
[ "$DONE" -gt 0 ] || { echo "no slice in $ROWS" >&2; exit 1; }
FULL_GCS=$(grep -c 'Pause Full' "$WORK/gc.log" 2>/dev/null || true)

SUMMARY=$(awk -F'\t' -v n="$DONE" '
  { req[NR] = $2; err[NR] = $4 + $5; heap[NR] = $8; fd[NR] = $9; conn[NR] = $11 }
  END {
    half = int(n / 2)
    for (i = 1; i <= n; i++) { if (i <= half) { r1 += req[i]; e1 += err[i] } else { r2 += req[i]; e2 += err[i] } }
    # least-squares slope of the heap after full GC, MiB per slice
    for (i = 1; i <= n; i++) { sx += i; sy += heap[i]; sxx += i * i; sxy += i * heap[i] }
    slope = (n > 1) ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : 0
    minh = heap[1]; maxh = heap[1]
    for (i = 1; i <= n; i++) { if (heap[i] < minh) minh = heap[i]; if (heap[i] > maxh) maxh = heap[i] }
    printf "%d %d %d %d %.4f %.1f %.1f %s %s %s %s\n", r1, e1, r2, e2, slope, minh, maxh, fd[1], fd[n], conn[1], conn[n]
  }' "$ROWS")
read -r R1 E1 R2 E2 SLOPE MINH MAXH FD1 FDN C1 CN <<<"$SUMMARY"
SLOPE_H=$(awk -v s="$SLOPE" -v i="$INTERVAL" 'BEGIN { printf "%.1f", s * 3600 / i }')
PCT() { awk -v e="$1" -v r="$2" 'BEGIN { if (r > 0) printf "%.3f", e * 100 / r; else print "n/a" }'; }
ELAPSED=$(( $(date +%s) - SOAK_STARTED ))
if [ "$DONE" -lt "$SLICES" ]; then
  LENGTH="**$(( DONE * INTERVAL )) s of load** ($DONE of the $SLICES planned slices of $INTERVAL s; stopped early for lack of time), $(( ELAPSED / 60 )) min from the first slice to the report"
else
  LENGTH="**$(( DONE * INTERVAL )) s of load** ($DONE slices of $INTERVAL s), $(( ELAPSED / 60 )) min from the first slice to the report"
fi
{
  echo "# govgate soak results"
  echo
  echo "Produced by \`bash ops/soak/run.sh\` (report: \`ops/soak/report.sh\`) on $(date -u '+%Y-%m-%d %H:%M UTC'). Do not edit by hand; run it again."
  echo
  echo "## Machine and setup"
  echo
  echo "- $CORES cores ($CPU_MODEL), $MEMORY; every process pinned with \`taskset -c $CPUS\`"
  echo "- load average (1/5/15 min) at the start: $LOAD_BEFORE; at the end: $(cut -d' ' -f1-3 /proc/loadavg) — the cores were shared with other engineers' builds and tests (1-minute load per slice below), so the rates are this machine's at that time, not the gateway's capacity"
  echo "- stack: BenchStack (demo jar: embedded PostgreSQL and the simulators in one JVM, heap $SIM_HEAP) and the gateway (\`src/target/govgate.jar\`, its own process, heap $HEAP); $CITIZENS citizens, $L3 at L3; access log off"
  echo "- load: the benchmark's scenario (a) (\`GET /v1/social-security/account?region=$REGION\`, a different L3 citizen per request), wrk $THREADS threads, $CONNECTIONS connections"
  echo "- maximum measured right before the soak (unpaced, $PROBE s): **$MAX_RPS requests/s** (p99 $MAX_P99_MS ms); held: **$RATE requests/s** ($FRACTION of it), paced per connection"
  echo "- length: $LENGTH"
  echo "- faults: every $FLIP s one department simulator (round robin over all $DEPARTMENTS, including the loaded hz-social-security) gets the next of: latency 400 ms, 50 % errors, hang, aborted connections, malformed body, schema-breaking body, maintenance, latency 4 s — then healed"
  if [ -n "${RUN_NOTE:-}" ]; then echo "- note on this run: $RUN_NOTE"; fi
  echo "- heap after full GC: \`jcmd GC.run\` then \`jcmd GC.heap_info\` of the gateway process after each slice (its own full GCs during the run: $FULL_GCS); the gateway's fds and sockets from \`/proc/<pid>/fd\`, connections from \`/proc/net/tcp*\` (established, gateway port, sampled mid-slice), PostgreSQL processes = children of the postmaster (backends and its own workers)"
  echo
  echo "## Summary"
  echo
  echo "- error rate (non-2xx + socket errors): first half **$(PCT "$E1" "$R1") %** ($E1 of $R1), second half **$(PCT "$E2" "$R2") %** ($E2 of $R2)"
  echo "- gateway heap after full GC: $HEAP0 MiB before the load; during the soak $MINH–$MAXH MiB, trend **$SLOPE_H MiB/hour** (least squares over the slices)"
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
echo "written $RESULTS" >&2
