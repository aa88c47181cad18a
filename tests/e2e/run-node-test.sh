#!/usr/bin/env bash
# ctest entry for one node:test file. Exit 77 (ctest SKIP_RETURN_CODE) with a clear message when
# Node or the pinned npm packages are missing: `bash scripts/install-node-deps.sh` installs them.
set -uo pipefail
test_file="$1"
dir="$(cd "$(dirname "$test_file")" && pwd)"
if ! command -v node >/dev/null 2>&1; then
  echo "SKIP: node is not installed (Node 20 is needed for the e2e tests)"; exit 77
fi
if [ ! -d "$dir/node_modules/@modelcontextprotocol" ]; then
  echo "SKIP: $dir/node_modules is missing; run: bash scripts/install-node-deps.sh (npm ci in $dir)"; exit 77
fi
cd "$dir" && exec node --test --test-reporter=spec "$test_file"
