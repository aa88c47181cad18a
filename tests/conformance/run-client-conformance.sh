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
# tools_call's server connects one SDK Server to a new transport per POST and never closes it;
# sdk >= 1.26.0 refuses that ("Already connected to a transport"), so package.json overrides the
# suite's sdk to 1.25.3 (still in its ^1.25.2 range). Every scenario counts: no exceptions.
failed=()
for s in "${scenarios[@]}"; do
  if node "$cli" client --command "bash $here/client-wrapper.sh $fastmcp" --scenario "$s" \
       --expected-failures "$work/empty-baseline.yml" >"$work/log" 2>&1; then
    echo "PASS $s"
  else
    echo "FAIL $s"; sed 's/^/    /' "$work/log"; failed+=("$s")
  fi
done
echo "$(( ${#scenarios[@]} - ${#failed[@]} ))/${#scenarios[@]} passed${failed:+; failed: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
