#!/usr/bin/env bash
# Installs the pinned npm packages used by tests and benchmarks (never by the product), from lock
# files, only when the lock file changed since the last install.
#   scripts/install-node-deps.sh [DIR...]   default: tests/e2e tests/conformance bench/peers/ts-sdk
set -euo pipefail
cd "$(dirname "$0")/.."
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=(tests/e2e tests/conformance bench/peers/ts-sdk)
for dir in "${dirs[@]}"; do
  [ -f "$dir/package-lock.json" ] || continue
  stamp="$dir/node_modules/.fastmcp-lock-stamp"
  sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then continue; fi
  echo "install-node-deps: npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$sum" > "$stamp"
done
