-- One wrk script for every scenario. Arguments (after --):
--   1: a file of request paths, one per line (each request picks one at random)
--   2: a body file, or "-" for none (then GET)
--   3: the Content-Type of the body, or "-"
--   4: an Authorization header value, or "-"
--   5: a pause in ms each connection takes before each request, or "-" for none (a paced load:
--      the pause is drawn between half and one and a half times this, so connections do not
--      march in step)
--   6: a Cookie header value (a signed-in session), or "-" / absent for none
-- When the run ends it prints one JSON line: requests, duration, errors and latency percentiles.
local paths, body, headers, pause = {}, nil, {}, nil
local counter = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  if args[2] ~= "-" then
    local f = assert(io.open(args[2], "rb"))
    body = f:read("*a")
    f:close()
  end
  if args[3] ~= "-" then headers["Content-Type"] = args[3] end
  if args[4] ~= "-" then headers["Authorization"] = args[4] end
  if args[5] and args[5] ~= "-" then pause = tonumber(args[5]) end
  if args[6] and args[6] ~= "-" then headers["Cookie"] = args[6] end
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
end

function delay()
  if pause then return math.floor(pause * (0.5 + math.random())) end
  return 0
end

function request()
  counter = counter + 1
  local path = paths[math.random(#paths)]
  if body then
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
