#!/usr/bin/env bash
# The README's main job, end to end on this machine with no WorkOS account:
#   1. the local AuthKit emulator on 127.0.0.1:9100 (dev-only; stands in for <project>.authkit.app),
#   2. `fastmcp run --transport http --port 8000` with .env.example (AuthKitProvider chosen by env,
#      AUTHKIT_DOMAIN=http://127.0.0.1:9100, BASE_URL=http://localhost:8000),
#   3. `fastmcp client http://localhost:8000/mcp/ --auth oauth ping`, then `call whoami '{}'`
#      (the full MCP OAuth flow: 401 -> metadata -> registration -> PKCE -> token -> call),
# then stops everything. Expects a build in build/ (scripts/main.sh builds it); FASTMCP_BUILD_DIR
# overrides. OAuth tokens go to a temporary XDG_CONFIG_HOME, never to your ~/.config.
set -euo pipefail
cd "$(dirname "$0")/.."

build="${FASTMCP_BUILD_DIR:-build}"
fastmcp="$build/bin/fastmcp"
emulator="$build/bin/fastmcp-authkit-emulator"
for bin in "$fastmcp" "$emulator"; do
  [ -x "$bin" ] || { echo "demo: $bin not found; build first (bash scripts/main.sh, or cmake --preset default && cmake --build --preset default)" >&2; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/fastmcp-demo.XXXXXX")"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# wait_for FILE TEXT PID NAME: until FILE has TEXT (readiness line), the process dies, or 30 s pass.
wait_for() {
  for _ in $(seq 1 300); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    if ! kill -0 "$3" 2>/dev/null; then
      echo "demo: $4 exited before it was ready:" >&2; cat "$1" "$1.err" >&2 || true; return 1
    fi
    sleep 0.1
  done
  echo "demo: $4 not ready after 30 s:" >&2; cat "$1" "$1.err" >&2 || true; return 1
}

echo "==> starting the AuthKit emulator (dev-only) on 127.0.0.1:9100"
"$emulator" --port 9100 >"$work/emulator" 2>"$work/emulator.err" &
pids+=($!)
wait_for "$work/emulator" "AuthKit emulator listening on http://127.0.0.1:9100" "$!" "the AuthKit emulator"
sed 's/^/    /' "$work/emulator"

echo "==> starting: fastmcp run --transport http --port 8000 --env-file .env.example"
"$fastmcp" run --transport http --port 8000 --env-file .env.example >"$work/server" 2>"$work/server.err" &
pids+=($!)
wait_for "$work/server" "Listening on http://" "$!" "fastmcp run"
sed 's/^/    /' "$work/server"

export XDG_CONFIG_HOME="$work/config"
echo "==> fastmcp client http://localhost:8000/mcp/ --auth oauth ping"
"$fastmcp" client http://localhost:8000/mcp/ --auth oauth ping
echo "==> fastmcp client http://localhost:8000/mcp/ --auth oauth call whoami '{}'"
"$fastmcp" client http://localhost:8000/mcp/ --auth oauth call whoami '{}'
echo "==> done: OAuth sign-in, ping and whoami all succeeded; stopping the server and the emulator"
