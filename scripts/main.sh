#!/usr/bin/env bash
# The main job on a fresh machine: install, build, then run the end-to-end demo against the local
# AuthKit emulator (no WorkOS account needed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default
exec bash scripts/demo.sh
