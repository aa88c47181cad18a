-- wrk script for run.sh: a keep-alive POST shaped like an MCP tools/call, a ~300-byte JSON body
-- and a ~1 KB bearer token, formatted once so that wrk spends its core on the socket.
-- done() prints "LOOPPROTO requests duration_us non_2xx p50_us p99_us connect read write timeout".
local text = string.rep("x", 190)
local body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo",' ..
  '"arguments":{"text":"' .. text .. '"}}}'
local token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0." .. string.rep("eyJzdWIiOiJ1c2VyIn0", 38) ..
  "." .. string.rep("c2ln", 64)
local prepared

function init(args)
  prepared = wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json, text/event-stream",
    ["MCP-Protocol-Version"] = "2025-06-18",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end

function request() return prepared end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("LOOPPROTO %d %d %d %d %d %d %d %d %d\n", summary.requests,
    summary.duration, e.status, latency:percentile(50), latency:percentile(99), e.connect, e.read,
    e.write, e.timeout))
end
