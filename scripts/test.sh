#!/usr/bin/env bash
# Builds everything and runs every test. The README's test command, and what .ci/run runs.
#   scripts/test.sh          default preset (g++, RelWithDebInfo): unit, integration, e2e
#   scripts/test.sh --asan   asan preset (clang, ASan+UBSan): unit and integration
set -euo pipefail
cd "$(dirname "$0")/.."

preset=default
[ "${1:-}" = "--asan" ] && preset=asan

bash scripts/install-deps.sh
bash scripts/install-node-deps.sh

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset"
