#!/usr/bin/env bash
# Builds everything the tests run and runs every test. The README's test command, and what .ci/run runs.
#   scripts/test.sh          default preset (g++, RelWithDebInfo): unit, integration, e2e
#   scripts/test.sh --asan   asan preset (clang, ASan+UBSan): unit and integration
# Benchmarks are not built here (`cmake --build --preset default --target benches`; .ci/run does).
set -euo pipefail
cd "$(dirname "$0")/.."

preset=default
[ "${1:-}" = "--asan" ] && preset=asan

bash scripts/install-deps.sh
# npm ci (network-bound) runs while the compiler has the CPUs; its output is shown once it is done.
node_log="$(mktemp)"
trap 'rm -f "$node_log"' EXIT
bash scripts/install-node-deps.sh tests/e2e tests/conformance >"$node_log" 2>&1 &
node_pid=$!

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
node_rc=0
wait "$node_pid" || node_rc=$?
cat "$node_log"
[ "$node_rc" -eq 0 ] || { echo "test.sh: installing the node packages failed" >&2; exit "$node_rc"; }
ctest --preset "$preset"
