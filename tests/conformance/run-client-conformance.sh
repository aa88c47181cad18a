#!/usr/bin/env bash
# Every client scenario of the MCP conformance suite (pinned 0.1.11) against `fastmcp client`,
# one scenario at a time, each with an empty baseline (every check must pass).
#   run-client-conformance.sh FASTMCP_BIN [scenario...]     default: all client scenarios
# Exit 77 (ctest skip) with a clear message when Node or node_modules is missing.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
fastmcp="$1"; shift
cli="$here/node_modules/@modelcontextprotocol/conformance/dist/index.js"
if ! command -v node >/dev/null 2>&1; then echo "SKIP: node is not installed"; exit 77; fi
if [ ! -f "$cli" ]; then
  echo "SKIP: $here/node_modules is missing; run: bash scripts/install-node-deps.sh (npm ci in $here)"; exit 77
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/fastmcp-client-conformance.XXXXXX")"
trap 'rm -rf "$work"' EXIT
: > "$work/empty-baseline.yml"

scenarios=("$@")
if [ ${#scenarios[@]} -eq 0 ]; then
  mapfile -t scenarios < <(node "$cli" list --client | sed -n 's/^  - //p')
fi
echo "conformance 0.1.11: ${#scenarios[@]} client scenarios against $fastmcp"
# tools_call's server (one SDK Server, a new transport per POST, never closed) answers every POST
# after the first with 500 "Already connected to a transport" under @modelcontextprotocol/sdk
# 1.32.2, which the lock file resolves for the suite's ^1.25.2: no client can pass it. Such a
# failure, and only with that server error in its log, is reported as SUITE-DEFECT, not counted.
failed=(); defects=0
for s in "${scenarios[@]}"; do
  if node "$cli" client --command "bash $here/client-wrapper.sh $fastmcp" --scenario "$s" \
       --expected-failures "$work/empty-baseline.yml" >"$work/log" 2>&1; then
    echo "PASS $s"
  elif [ "$s" = tools_call ] && grep -q "Already connected to a transport" "$work/log"; then
    echo "SUITE-DEFECT $s (the scenario's server refuses a second POST; see the comment above)"
    defects=$((defects + 1))
  else
    echo "FAIL $s"; sed 's/^/    /' "$work/log"; failed+=("$s")
  fi
done
echo "$(( ${#scenarios[@]} - ${#failed[@]} - defects ))/${#scenarios[@]} passed, $defects suite defect(s)${failed:+; failed: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
