-- wrk script for bench/http: POST tools/call echo over keep-alive.
--   BENCH_TOKENS=FILE  one bearer token per line, sent round-robin (1 line: the hot token);
--                      unset or empty: no Authorization header (the no-auth scenario).
-- Requests are formatted once in init() so that wrk spends its core on the socket, not in Lua.
-- done() prints one line "WRK_JSON {...}" for bench/run (latencies in microseconds).
local body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}'
local prepared = {}
local next_index = 0

function init(args)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json, text/event-stream",
    ["MCP-Protocol-Version"] = "2025-06-18",
  }
  local file = os.getenv("BENCH_TOKENS")
  if file ~= nil and file ~= "" then
    for line in io.lines(file) do
      if #line > 0 then
        headers["Authorization"] = "Bearer " .. line
        prepared[#prepared + 1] = wrk.format("POST", nil, headers, body)
      end
    end
    if #prepared == 0 then error("no tokens in " .. file) end
  else
    prepared[1] = wrk.format("POST", nil, headers, body)
  end
end

function request()
  next_index = next_index % #prepared + 1
  return prepared[next_index]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"non_2xx_3xx":%d,"connect_errors":%d,' ..
    '"read_errors":%d,"write_errors":%d,"timeouts":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
