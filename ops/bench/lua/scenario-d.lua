-- (d) POST /v1/sessions with single-use WeChat auth codes issued before the run (BENCH_CODES): the gateway
-- exchanges each code with the simulator and looks up the citizen's binding. Each thread spends its own block
-- of the range BENCH_FROM..BENCH_TO (the warm-up gets another range) and stops when it is used up; wrk may
-- still send a few requests after that, which then fail and are counted as non-2xx.
package.path = (os.getenv("BENCH_LUA") or ".") .. "/?.lua;" .. package.path
local common = require("common")
setup = common.setup
delay = common.delay
done = common.done

local codes, i, last, app

function init(args)
  codes = dofile(os.getenv("BENCH_CODES"))
  app = os.getenv("BENCH_APP_ID")
  i, last = common.block(#codes)
  common.init_rate()
end

function request()
  if i > last then
    io.stderr:write("scenario d: auth codes used up, thread stops early\n")
    wrk.thread:stop()
    i = last
  end
  local code = codes[i]
  i = i + 1
  local body = '{"channel":"wechat","appId":"' .. app .. '","authCode":"' .. code .. '"}'
  return wrk.format("POST", "/v1/sessions", { ["Content-Type"] = "application/json" }, body)
end
