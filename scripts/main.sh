#!/usr/bin/env bash
# The main job on a fresh machine: install, build, then run the end-to-end demo against the local
# AuthKit emulator (no WorkOS account needed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset default >/dev/null
# Only what the demo runs: the CLI, the emulator, and the provider .env.example selects
# (AuthKitProvider lives in workos.so). `cmake --build --preset default` builds everything else.
cmake --build --preset default --target fastmcp fastmcp-authkit-emulator workos_provider
exec bash scripts/demo.sh
