-- (f): connections that open and then stay idle. wrk calls delay() before a connection's first request, so a
-- delay longer than the run keeps every connection established and silent; the script reads the gateway's
-- resident memory meanwhile. Nothing is measured from wrk's own figures.
function delay()
  return 600000
end

function request()
  return wrk.format("GET", "/health/live")
end
