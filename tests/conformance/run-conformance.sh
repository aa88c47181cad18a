#!/usr/bin/env bash
# The official MCP conformance suite (@modelcontextprotocol/conformance, pinned in package-lock.json)
# against `fastmcp run` with auth off, on a loopback port the OS picks.
#   run-conformance.sh FASTMCP_BIN scenario...          each scenario must pass
#   run-conformance.sh FASTMCP_BIN --baseline FILE      the whole active suite; failures must be
#                                                       exactly those listed in FILE
#   run-conformance.sh FASTMCP_BIN --strict scenario... each scenario must have at least one SUCCESS
#                                                       check and no FAILURE or WARNING (real checks,
#                                                       not "0 of 0")
#   run-conformance.sh FASTMCP_BIN --strict --all       the same for every server scenario of the
#                                                       suite (`list --server`, i.e. --suite all)
#   FASTMCP_RUN_MODULE=path/to/module.so ...            serve that server module instead of the demo app
#   FASTMCP_RUN_ARGS="--stateful" ...                   extra `fastmcp run` flags
# Exit 77 (ctest skip) with a clear message when Node or node_modules is missing.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
fastmcp="$1"; shift
cli="$here/node_modules/@modelcontextprotocol/conformance/dist/index.js"
if ! command -v node >/dev/null 2>&1; then echo "SKIP: node is not installed"; exit 77; fi
if [ ! -f "$cli" ]; then
  echo "SKIP: $here/node_modules is missing; run: bash scripts/install-node-deps.sh (npm ci in $here)"; exit 77
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/fastmcp-conformance.XXXXXX")"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# Auth off: no FASTMCP_SERVER_AUTH* from the caller, no .env file.
env -u FASTMCP_ENV_FILE $(env | awk -F= '/^FASTMCP_SERVER_AUTH/ {print "-u " $1}') \
  "$fastmcp" run ${FASTMCP_RUN_MODULE:+"$FASTMCP_RUN_MODULE"} --transport http --host 127.0.0.1 --port 0 \
  ${FASTMCP_RUN_ARGS:-} >"$work/out" 2>"$work/err" &
server_pid=$!
url=""
for _ in $(seq 1 300); do
  url="$(grep -o 'Listening on http://[^ ]*' "$work/out" 2>/dev/null | head -n1 | cut -d' ' -f3)"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "fastmcp run exited:"; cat "$work/err"; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "fastmcp run printed no readiness line"; cat "$work/err"; exit 1; }
echo "conformance 0.1.11 against $url"

if [ "${1:-}" = "--baseline" ]; then
  node "$cli" server --url "$url" --expected-failures "$2"
  exit $?
fi
if [ "${1:-}" = "--strict" ]; then
  shift
  if [ "${1:-}" = "--all" ]; then
    mapfile -t all < <(node "$cli" list --server | sed -n 's/^  - //p')
    [ "${#all[@]}" -gt 0 ] || { echo "the suite listed no server scenarios"; exit 1; }
    set -- "${all[@]}"
  fi
  failed=0
  for scenario in "$@"; do
    out="$work/results-$scenario"
    node "$cli" server --url "$url" --scenario "$scenario" -o "$out" >"$work/$scenario.log" 2>&1
    # Every checks.json the run wrote: count SUCCESS, FAILURE and WARNING checks.
    verdict="$(node -e '
      const fs = require("fs"), path = require("path");
      const files = [];
      const walk = (d) => { for (const f of fs.readdirSync(d)) { const p = path.join(d, f);
        if (fs.statSync(p).isDirectory()) walk(p); else if (f === "checks.json") files.push(p); } };
      if (fs.existsSync(process.argv[1])) walk(process.argv[1]);
      let ok = 0, bad = [];
      for (const f of files) for (const c of JSON.parse(fs.readFileSync(f, "utf8"))) {
        if (c.status === "SUCCESS") ok++;
        if (c.status === "FAILURE" || c.status === "WARNING") bad.push(`${c.status} ${c.id}: ${c.errorMessage || ""}`);
      }
      console.log(ok > 0 && bad.length === 0 ? `PASS ${ok} SUCCESS checks` : `FAIL ${ok} SUCCESS; ${bad.join("; ") || "no checks ran"}`);
    ' "$out")"
    echo "$verdict $scenario"
    case "$verdict" in PASS*) ;; *) cat "$work/$scenario.log"; failed=$((failed + 1)) ;; esac
  done
  echo "$(( $# - failed )) passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
fi
failed=0
for scenario in "$@"; do
  if node "$cli" server --url "$url" --scenario "$scenario" >"$work/$scenario.log" 2>&1; then
    echo "PASS $scenario"
  else
    echo "FAIL $scenario"; cat "$work/$scenario.log"; failed=$((failed + 1))
  fi
done
echo "$(( $# - failed )) passed, $failed failed"
[ "$failed" -eq 0 ]
