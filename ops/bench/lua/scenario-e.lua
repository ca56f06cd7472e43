-- (e) the query of (a) made by a partner platform: GET /open/v1/social-security/account?consentId=&region= with an
-- RSA2 signature (GOVGATE-RSA2), round-robin over the consents of BenchStack.PARTNER_CONSENTS citizens. Every request
-- carries its own nonce (single-use): BENCH_PARTNER (written by BenchStack's /presign-partner right before the run)
-- holds enough for the run; each wrk thread walks its own part of it once.
package.path = (os.getenv("BENCH_LUA") or ".") .. "/?.lua;" .. package.path
local common = require("common")
setup = common.setup
delay = common.delay
done = common.done

local signed, i, stride

function init(args)
  signed = dofile(os.getenv("BENCH_PARTNER"))
  i, stride = common.walk()
  i = (i - 1) % #signed.path + 1
  common.init_rate()
end

function request()
  local path, auth = signed.path[i], signed.auth[i]
  i = i + stride
  if i > #signed.path then
    -- Past the end a nonce would repeat (401 partner.nonce_replayed, counted as errors): the file is sized for the run.
    i = i - #signed.path
  end
  return wrk.format("GET", path, { ["Authorization"] = auth })
end
