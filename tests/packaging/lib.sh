# Helpers for the packaging tests (sourced).
step() { echo "== $*"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
fail_log() {
  tail -n 40 "$1" >&2
  fail "$2"
}

# A scratch directory removed on exit, with any server started by start_fastmcp.
scratch_dir() {
  tmp=$(mktemp -d)
  server_pid=
  trap 'if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi; rm -rf "$tmp"' EXIT
}

# start_fastmcp FASTMCP ARGS...: starts it with no provider settings from the caller's
# environment, in the scratch directory (no ./.env), and waits for its URL (sets $url).
start_fastmcp() {
  (cd "$tmp" && exec env -u FASTMCP_SERVER_AUTH -u FASTMCP_PROVIDER_PATH -u FASTMCP_ENV_FILE "$@") >"$tmp/server.log" 2>&1 &
  server_pid=$!
  url=
  for _ in $(seq 100); do
    url=$(sed -n 's/.*Listening on \(http:[^ ]*\).*/\1/p' "$tmp/server.log" | head -n 1)
    [ -n "$url" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  fail_log "$tmp/server.log" "fastmcp did not start listening"
}

# mcp_post JSON: one JSON-RPC request to $url; prints the response body.
mcp_post() {
  curl -sS --max-time 10 -X POST "$url" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' -d "$1" || fail "POST $1 failed"
}

# json_eval EXPR: evaluates EXPR on stdin parsed as JSON (as d) and prints the result.
json_eval() {
  python3 -c '
import json, sys
raw = sys.stdin.read()
try:
    d = json.loads(raw)
    print(eval(sys.argv[1]))
except Exception as e:
    sys.exit(f"cannot evaluate {sys.argv[1]} ({e!r}) on: {raw[:2000]}")
' "$1"
}
