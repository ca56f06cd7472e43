-- Shared by every scenario script: thread numbering, optional rate limit, and the result line.
-- Environment: BENCH_THREADS (wrk's -t), BENCH_RATE (requests/s over all connections, 0 = as fast as possible),
-- BENCH_CONNECTIONS; for single-use tables BENCH_FROM and BENCH_TO (1-based, inclusive: the entries this run
-- may spend).

local common = {}
local counter = 0

-- Runs in the main Lua state once per thread: number the threads so that each one walks its own stride of the
-- data table and no two threads send the same entry. (A thread starts before the next one is set up, so the
-- thread count comes from the environment, not from counting here.)
function common.setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

-- For reusable tables: the first index (1-based, before wrapping) of this thread and its stride. BENCH_OFFSET
-- moves the start, so that consecutive runs (the warm-up over every token) go on where the last one stopped.
function common.walk()
  local stride = tonumber(os.getenv("BENCH_THREADS") or "1") or 1
  local offset = tonumber(os.getenv("BENCH_OFFSET") or "0") or 0
  return (tonumber(id) or 0) + 1 + offset, stride
end

-- For single-use tables of n entries: this thread's own contiguous block [first, last] of BENCH_FROM..BENCH_TO,
-- so that threads running at different speeds never reach each other's entries.
function common.block(n)
  local threads = tonumber(os.getenv("BENCH_THREADS") or "1") or 1
  local from = tonumber(os.getenv("BENCH_FROM") or "1") or 1
  local to = math.min(tonumber(os.getenv("BENCH_TO") or tostring(n)) or n, n)
  local size = math.floor((to - from + 1) / threads)
  local first = from + (tonumber(id) or 0) * size
  return first, first + size - 1
end

-- Per-connection pacing for the fixed-rate runs: each connection waits connections/rate seconds between
-- requests. wrk takes whole milliseconds, so the fraction is dithered to keep the average exact.
local pause_ms = nil
function common.init_rate()
  local rate = tonumber(os.getenv("BENCH_RATE") or "0") or 0
  local connections = tonumber(os.getenv("BENCH_CONNECTIONS") or "0") or 0
  if rate > 0 and connections > 0 then
    pause_ms = connections * 1000.0 / rate
  end
end

function common.delay()
  if pause_ms == nil then
    return 0
  end
  local whole = math.floor(pause_ms)
  if math.random() < pause_ms - whole then
    whole = whole + 1
  end
  return whole
end

-- One machine-readable line per run; latencies in microseconds.
function common.done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,'
      .. '"non2xx":%d,"socketErrors":%d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout))
end

return common
