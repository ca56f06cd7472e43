-- (a) GET /v1/social-security/account?region=330100 with the L3 session token of a different citizen on every
-- request: round-robin through BENCH_TOKENS (a Lua table of tokens written by BenchStack).
package.path = (os.getenv("BENCH_LUA") or ".") .. "/?.lua;" .. package.path
local common = require("common")
setup = common.setup
delay = common.delay
done = common.done

local tokens, path, i, stride

function init(args)
  tokens = dofile(os.getenv("BENCH_TOKENS"))
  path = "/v1/social-security/account?region=" .. (os.getenv("BENCH_REGION") or "330100")
  i, stride = common.walk()
  i = (i - 1) % #tokens + 1
  common.init_rate()
end

function request()
  local token = tokens[i]
  i = i + stride
  if i > #tokens then
    i = i - #tokens
  end
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
