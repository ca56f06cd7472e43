-- (b) and (c): pre-signed department requests (social-security.account) for many citizens, round-robin through
-- BENCH_SIGNED (written by BenchStack right before the run; signatures are valid for +-300 s).
package.path = (os.getenv("BENCH_LUA") or ".") .. "/?.lua;" .. package.path
local common = require("common")
setup = common.setup
delay = common.delay
done = common.done

local signed, i, stride

function init(args)
  signed = dofile(os.getenv("BENCH_SIGNED"))
  i, stride = common.walk()
  i = (i - 1) % #signed.requests + 1
  common.init_rate()
end

function request()
  local r = signed.requests[i]
  i = i + stride
  if i > #signed.requests then
    i = i - #signed.requests
  end
  return wrk.format("POST", signed.path, {
    ["Content-Type"] = "application/json",
    ["X-Govgate-Key-Id"] = signed.keyId,
    ["X-Govgate-Timestamp"] = r.ts,
    ["X-Govgate-Signature"] = r.sig,
    ["X-Request-Id"] = r.rid,
  }, r.body)
end
